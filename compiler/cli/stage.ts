/**
 * The first half of writing a build (see io.ts writeBuild): each file is
 * written to a temporary file beside its target and all are flushed to disk;
 * nothing is in place yet. The second half, the commit, renames them into
 * place and writes the lock.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { basename, dirname, join } from 'node:path';

/** A file written beside its target, and the target it is to be renamed to. */
export interface StagedFile {
  tmp: string;
  target: string;
}

/** pamc's temporary file for `target`: `.<name>.<pid>.tmp` in the same directory. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

/**
 * Writes `files` (path relative to `outDir`, content) to temporary files
 * beside their targets, then makes them durable. A file whose content is the
 * same as a file written before it in this call (a migration and its copy in
 * staging/) is a hard link to that one: creating a file costs the file
 * system many times what linking one does. Where a link cannot be made, the
 * file is written. On failure, the temporary files already written are
 * removed and the error is thrown.
 */
export function stageFiles(outDir: string, files: ReadonlyArray<readonly [string, string]>): StagedFile[] {
  const staged: StagedFile[] = [];
  const written = new Map<string, string>();
  const dirs = new Set<string>();
  try {
    for (const [rel, content] of files) {
      const target = join(outDir, rel);
      const dir = dirname(target);
      if (!dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        dirs.add(dir);
      }
      const tmp = temporaryPath(target);
      const same = written.get(content);
      if (same === undefined || !tryLink(same, tmp)) {
        writeNew(tmp, content);
        written.set(content, tmp);
      }
      staged.push({ tmp, target });
    }
    flushAll(
      [...dirs],
      staged.map((s) => s.tmp),
    );
  } catch (error) {
    discardStaged(staged);
    throw error;
  }
  return staged;
}

/** Removes the temporary files of a stage that will not be committed. */
export function discardStaged(staged: readonly StagedFile[]): void {
  for (const s of staged) rmSync(s.tmp, { force: true });
}

function writeNew(path: string, content: string): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, content);
  } finally {
    closeSync(fd);
  }
}

function tryLink(existing: string, path: string): boolean {
  try {
    linkSync(existing, path);
    return true;
  } catch {
    return false;
  }
}

/** Below this many files, flushing them one by one is cheaper than starting a process. */
const FLUSH_ONE_BY_ONE = 16;

/**
 * Makes the files `paths`, written in the directories `dirs`, durable. On
 * Linux, `sync -f` flushes the file system of each directory in one call
 * (syncfs(2)); anywhere else, or if that fails, each file is flushed on its
 * own (fsync(2)).
 */
function flushAll(dirs: readonly string[], paths: readonly string[]): void {
  if (paths.length >= FLUSH_ONE_BY_ONE && process.platform === 'linux') {
    const r = spawnSync('sync', ['-f', ...dirs], { stdio: 'ignore', timeout: 120_000 });
    if (r.status === 0) return;
  }
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
