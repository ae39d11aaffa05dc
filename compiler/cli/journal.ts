/**
 * The journal of a build (./write.ts): the migrations it is about to put in
 * place, written before the first of them and removed after the lock. What
 * it names and the lock does not list, an interrupted build left. Reading it
 * needs neither the build lock nor the atomic writer, so `check` reads it
 * without loading them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEGACY_LOCK_FILE, LOCK_FILE, parseLock, STAGING_DIR } from '../lock/index.js';

/** The journal of a build between its first migration and its lock. */
export const JOURNAL = '.pamc-build.journal';

/** The files the lock lists (paths relative to the output directory), or null when it cannot be read. */
function lockedPaths(outDir: string): Set<string> | null {
  const name = [LOCK_FILE, LEGACY_LOCK_FILE].find((n) => existsSync(join(outDir, n)));
  if (!name) return new Set();
  const { lock, problems } = parseLock({ path: name, text: readFileSync(join(outDir, name), 'utf8') });
  if (problems.length) return null;
  return new Set(lock.entries.flatMap((e) => [e.file, `${STAGING_DIR}/${e.file}`]));
}

/**
 * Migrations an interrupted build put in place without listing them in the
 * lock (paths relative to the output directory). `check` reports them;
 * `build` removes them (recoverBuild).
 */
export function interruptedBuild(outDir: string): string[] {
  const journal = join(outDir, JOURNAL);
  if (!existsSync(journal)) return [];
  let files: string[];
  try {
    files = (JSON.parse(readFileSync(journal, 'utf8')) as { files: unknown[] }).files.filter((f): f is string => typeof f === 'string');
  } catch {
    return [];
  }
  const locked = lockedPaths(outDir);
  if (locked === null) return [];
  return files.filter((f) => !locked.has(f) && !f.includes('..') && existsSync(join(outDir, f)));
}
