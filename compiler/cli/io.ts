/**
 * The shell's file system side: reading the spec and the output directory
 * (writing a build is ./write.ts). Nothing here decides anything.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../report/diagnostic.js';
import { LEGACY_LOCK_FILE, LOCK_FILE, STAGING_DIR } from '../lock/index.js';

/** IoError is a failure to read or write, reported with exit status 2. */
export class IoError extends Error {}

/** Largest phase file pamc reads; larger ones are refused before parsing. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** SpecFiles is what the CLI read of the spec, and the files it refused to read. */
export interface SpecFiles {
  sources: SourceFile[];
  /** The .sql files under the schema directory (for `sql:` features), and the directory, as paths are shown. */
  sql: { dir: string; files: Map<string, string> };
  refused: Array<{ path: string; reason: string }>;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** One decoder serves every file: without `stream`, decode keeps nothing between calls. */
const UTF8 = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/** Decodes UTF-8; invalid bytes become U+FFFD, which the loader reports. */
export function decode(bytes: Buffer): string {
  return UTF8.decode(bytes);
}

/** Reads every *.yaml / *.yml (and *.sql, for SQL features) under `dir`, sorted by path; symlinks must stay inside `root`. */
export function readSpec(dir: string, root: string): SpecFiles {
  if (!existsSync(dir)) throw new IoError(`schema directory ${dir} does not exist (use --schema to name another)`);
  const sources: SourceFile[] = [];
  const sql = { dir: toPosix(relative(root, dir)) || '.', files: new Map<string, string>() };
  const refused: SpecFiles['refused'] = [];
  const realRoot = realpathSync(root);
  const walk = (abs: string): void => {
    const entries = readdirSync(abs, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(abs, e.name);
      const shown = toPosix(relative(root, path));
      if (e.isSymbolicLink()) {
        let target: string;
        try {
          target = realpathSync(path);
        } catch {
          refused.push({ path: shown, reason: 'is a symbolic link whose target does not exist' });
          continue;
        }
        const rel = relative(realRoot, target);
        if (rel.startsWith('..') || rel === '' || rel.startsWith(`..${sep}`) || /^[a-zA-Z]:/.test(rel) || rel.startsWith(sep)) {
          refused.push({ path: shown, reason: `is a symbolic link to ${target}, outside the project` });
          continue;
        }
        if (lstatSync(target).isDirectory()) {
          refused.push({ path: shown, reason: 'is a symbolic link to a directory; pamc does not follow those' });
          continue;
        }
      } else if (e.isDirectory()) {
        walk(path);
        continue;
      }
      const isSql = e.name.endsWith('.sql');
      if (!isSql && !/\.ya?ml$/.test(e.name)) continue;
      const read = readBounded(path);
      if ('reason' in read) {
        refused.push({ path: shown, reason: read.reason });
        continue;
      }
      // A byte-order mark is not part of the text: without this, every column of line 1 would be off by one.
      const text = decode(read.bytes).replace(/^\uFEFF/, '');
      if (isSql) sql.files.set(shown, text);
      else sources.push({ path: shown, text });
    }
  };
  walk(dir);
  return { sources, sql, refused };
}

/**
 * Reads a phase file, at most MAX_SOURCE_BYTES of it. Opened without
 * blocking, so a named pipe or a device under schema/ is refused instead of
 * waiting forever for a writer; the limit holds even for a file that grows
 * while it is read.
 */
function readBounded(path: string): { bytes: Buffer } | { reason: string } {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { reason: 'is not a regular file (a pipe, a device or a socket); pamc reads only plain files' };
    if (stat.size > MAX_SOURCE_BYTES) return { reason: `is ${stat.size} bytes; phase files are limited to ${MAX_SOURCE_BYTES} bytes` };
    // Not zero-filled: only the bytes read are used.
    const buffer = Buffer.allocUnsafe(MAX_SOURCE_BYTES + 1);
    let length = 0;
    for (let n = -1; n !== 0 && length < buffer.length; length += n) n = readSync(fd, buffer, length, buffer.length - length, null);
    if (length > MAX_SOURCE_BYTES)
      return { reason: `grew past ${MAX_SOURCE_BYTES} bytes while pamc read it; phase files are limited to ${MAX_SOURCE_BYTES} bytes` };
    return { bytes: buffer.subarray(0, length) };
  } finally {
    closeSync(fd);
  }
}

/** Reads the lock and every .sql file of the output directory (and its staging directory). */
export function readOut(outDir: string, shownOut: string): { lock: SourceFile | null; files: Map<string, string> } {
  const files = new Map<string, string>();
  let lock: SourceFile | null = null;
  if (!existsSync(outDir)) return { lock, files };
  // The lock of format 2, else one of format 1 (which the next build replaces).
  for (const name of [LOCK_FILE, LEGACY_LOCK_FILE]) {
    const lockPath = join(outDir, name);
    if (!existsSync(lockPath)) continue;
    lock = { path: `${shownOut}/${name}`, text: decode(readFileSync(lockPath)) };
    break;
  }
  for (const [sub, prefix] of [
    [outDir, ''],
    [join(outDir, STAGING_DIR), `${STAGING_DIR}/`],
  ] as const) {
    if (!existsSync(sub)) continue;
    for (const name of readdirSync(sub).sort()) {
      if (!name.endsWith('.sql')) continue;
      files.set(`${prefix}${name}`, decode(readFileSync(join(sub, name))));
    }
  }
  return { lock, files };
}
