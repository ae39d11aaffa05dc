/**
 * The first half of writing a build (see io.ts stageBuild): each file is
 * written to a temporary file beside its target, and a flush of them all to
 * disk is started; nothing is in place yet. The second half, the commit,
 * waits for the flush and renames them into place in order.
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { basename, dirname, join } from 'node:path';

/**
 * A file of a build, staged: written beside its target (`tmp`), or, for a
 * file with the same content as one staged before it (a migration's copy in
 * staging/), to be made a hard link of that one's target (`copyOf`).
 */
export type StagedFile = { target: string; tmp: string } | { target: string; copyOf: string; content: string };

/** Files staged, and the flush that makes them durable (it rejects if they could not be flushed). */
export interface Stage {
  files: StagedFile[];
  durable: Promise<void>;
}

/** pamc's temporary file for `target`: `.<name>.<pid>.tmp` in the same directory. */
export function temporaryPath(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
}

/**
 * Writes `files` (path relative to `outDir`, content) to temporary files
 * beside their targets, then starts making them durable, which runs while
 * the caller goes on (a build parse-checks meanwhile); the caller waits for
 * it before it puts them in place (placeStaged). A file whose content is the same as a file staged before it in
 * this call is not written: the commit makes it a hard link of that file
 * once it is in place. Creating a file costs the file system many times
 * what linking one does. On failure, the temporary files already written
 * are removed and the error is thrown.
 */
export function stageFiles(outDir: string, files: ReadonlyArray<readonly [string, string]>): Stage {
  const staged: StagedFile[] = [];
  const written = new Map<string, string>();
  const dirs = new Set<string>();
  const temporary: string[] = [];
  try {
    for (const [rel, content] of files) {
      const target = join(outDir, rel);
      const dir = dirname(target);
      if (!dirs.has(dir)) {
        mkdirSync(dir, { recursive: true });
        dirs.add(dir);
      }
      const same = written.get(content);
      if (same !== undefined) {
        staged.push({ target, copyOf: same, content });
        continue;
      }
      const tmp = temporaryPath(target);
      temporary.push(tmp);
      staged.push({ tmp, target });
      writeNew(tmp, content);
      written.set(content, target);
    }
  } catch (error) {
    discardStaged(staged);
    throw error;
  }
  const durable = flushAll([...dirs], temporary);
  // Handled here so that a failed flush is never an unhandled rejection while the caller is busy; the caller awaits it.
  durable.catch(() => undefined);
  return { files: staged, durable };
}

/**
 * Puts staged files in place, in order; the caller has waited for their
 * flush. Each temporary file is renamed over its target, each copy is linked
 * to the target it copies (already in place, as it was staged before it).
 * Where a link cannot be made (a file system without hard links, or another
 * one), the copy is written and renamed in place instead. Each file appears
 * whole or not at all.
 */
export function placeStaged(files: readonly StagedFile[]): void {
  for (const s of files) {
    if ('tmp' in s) renameSync(s.tmp, s.target);
    else if (!tryLink(s.copyOf, s.target)) {
      const tmp = temporaryPath(s.target);
      try {
        writeNew(tmp, s.content);
        fsyncEach([tmp]);
        renameSync(tmp, s.target);
      } catch (error) {
        rmSync(tmp, { force: true });
        throw error;
      }
    }
  }
}

/** Removes the temporary files of a stage that will not be committed (those not renamed yet). */
export function discardStaged(staged: readonly StagedFile[]): void {
  for (const s of staged) if ('tmp' in s) rmSync(s.tmp, { force: true });
}

/**
 * Takes back staged files, whether or not they were put in place: each
 * target and each temporary file is removed, last file first. A target is
 * only ever a name that did not exist when the build was planned (io.ts
 * planBuild refuses to write over a file). Returns false if something could
 * not be removed.
 */
export function withdrawStaged(staged: readonly StagedFile[]): boolean {
  let all = true;
  for (const s of [...staged].reverse()) {
    for (const path of 'tmp' in s ? [s.target, s.tmp] : [s.target]) {
      try {
        rmSync(path, { force: true });
      } catch {
        // Not a file pamc wrote (a directory that appeared meanwhile, say): left alone, and reported.
        all = false;
      }
    }
  }
  return all;
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
 * (syncfs(2)), in a child process: the disk is written while this process
 * goes on. Anywhere else, or if that fails, each file is flushed on its own
 * (fsync(2)).
 */
function flushAll(dirs: readonly string[], paths: readonly string[]): Promise<void> {
  if (paths.length < FLUSH_ONE_BY_ONE || process.platform !== 'linux') {
    try {
      fsyncEach(paths);
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const fallBack = (): void => {
      if (settled) return;
      settled = true;
      try {
        fsyncEach(paths);
        resolve();
      } catch (error) {
        reject(error as Error);
      }
    };
    const child = spawn('sync', ['-f', ...dirs], { stdio: 'ignore', timeout: 120_000 });
    child.once('error', fallBack);
    child.once('exit', (code) => {
      if (code !== 0) fallBack();
      else if (!settled) {
        settled = true;
        resolve();
      }
    });
  });
}

function fsyncEach(paths: readonly string[]): void {
  for (const path of paths) {
    const fd = openSync(path, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
