/**
 * Writing a build into the output directory, and what makes that safe: one
 * build at a time, and a build killed at any moment leaves either the old
 * state or the new one as far as pamc is concerned.
 *
 * The protocol: under the build lock, the journal (the list of files about
 * to appear) is written first, then each migration, then the lock file, the
 * commit point, then the files the build replaces are removed, and the
 * journal is removed. Each file is written to a temporary file beside it
 * and renamed into place, so it appears whole or not at all (the journal and
 * the lock through write-file-atomic, which also flushes them to disk; the
 * migrations as putInPlace says).
 * A migration the lock does not list was never emitted: a build killed
 * before its lock leaves a journal, and the next build removes what the
 * journal names and the lock does not list (recoverBuild), together with
 * temporary files. A build killed after its lock leaves replaced migrations
 * behind; pamc's own migrations that no lock lists are orphans, which the
 * next build removes.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { lock as lockDirectory } from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { LOCK_FILE, STAGING_DIR } from '../lock/index.js';
import { interruptedBuild, JOURNAL } from './journal.js';

export { interruptedBuild, JOURNAL } from './journal.js';
import { IoError } from './io.js';

/** The build lock of an output directory (a directory, held by proper-lockfile). */
export const BUILD_LOCK = '.pamc-build.lock';

/** Temporary files a killed build leaves: `<target>.<number>` (a process id, or write-file-atomic's counter). */
const TEMPORARY = /^(?:[0-9]{14}_[a-z0-9_]+\.sql|pamc\.lock|pamc\.lock\.json|\.pamc-build\.journal)\.[0-9]+$/;

/**
 * How long a lock whose holder stopped refreshing it is kept before another
 * build takes it over. The holder refreshes it from a timer, which cannot run
 * while the compile runs (synchronous, a few seconds at 10,000 tables), so
 * this is well above that; a build killed outright delays the next by as much.
 */
const STALE_MS = 10_000;
/** How many files a build writes between turns of the event loop (so the lock's timer runs). */
const BATCH = 64;
/** How often a waiting build tries the lock again. */
const RETRY_MS = 250;

/**
 * Takes the build lock of `outDir`, waiting up to `waitMs` for a running
 * build to finish (`waiting` is called once, when it has to wait). A lock
 * left by a killed build is taken over once stale. Returns the release;
 * `compromised()` says whether the lock was lost meanwhile (the holder
 * stalled past the stale time), in which case the build must not commit.
 */
export async function acquireBuildLock(
  outDir: string,
  { waitMs = 60_000, waiting }: { waitMs?: number; waiting?: () => void } = {},
): Promise<{ release: () => Promise<void>; compromised: () => boolean }> {
  mkdirSync(outDir, { recursive: true });
  let lost = false;
  const attempt = (retries: number): Promise<() => Promise<void>> =>
    lockDirectory(outDir, {
      lockfilePath: join(outDir, BUILD_LOCK),
      realpath: false,
      stale: STALE_MS,
      update: STALE_MS / 5,
      retries: { retries, factor: 1, minTimeout: RETRY_MS, maxTimeout: RETRY_MS },
      onCompromised: () => {
        lost = true;
      },
    });
  const locked = (error: unknown): boolean => (error as NodeJS.ErrnoException).code === 'ELOCKED';
  try {
    const release = await attempt(0).catch((error: unknown) => {
      if (!locked(error)) throw error;
      waiting?.();
      return attempt(Math.ceil(waitMs / RETRY_MS));
    });
    return { release: () => release().catch(() => undefined), compromised: () => lost };
  } catch (error) {
    if (locked(error))
      throw new IoError(`another pamc build is writing ${outDir}; wait for it to finish (if no pamc runs, remove ${join(outDir, BUILD_LOCK)})`);
    throw error;
  }
}

/** Refuses, before anything is written, to write over a file (names compared in lower case, as a file system may). */
function refuseOverwrite(outDir: string, paths: readonly string[]): void {
  const listed = new Map<string, Set<string>>();
  for (const rel of paths) {
    const dir = dirname(join(outDir, rel));
    let names = listed.get(dir);
    if (!names) listed.set(dir, (names = new Set(existsSync(dir) ? readdirSync(dir).map((n) => n.toLowerCase()) : [])));
    if (names.has(rel.slice(rel.lastIndexOf('/') + 1).toLowerCase())) throw new IoError(`${join(outDir, rel)} already exists; pamc never rewrites a migration`);
  }
}

/** What a build may remove: migrations (in the output or staging directory) and a format 1 lock. */
const REMOVABLE = /^(?:staging\/)?[0-9]{14}_[a-z0-9_]+\.sql$|^pamc\.lock\.json$/;

/**
 * Writes a build: `files` maps paths relative to `outDir` to their content;
 * the lock (LOCK_FILE), if present, is written last, then `remove` is
 * removed. `stillHeld` is asked before the commit: a build that lost its
 * lock writes no lock and removes nothing.
 */
export async function writeBuild(
  outDir: string,
  files: ReadonlyMap<string, string>,
  remove: readonly string[] = [],
  stillHeld: () => boolean = () => true,
): Promise<void> {
  const migrations = [...files.keys()].filter((k) => k !== LOCK_FILE).sort();
  refuseOverwrite(outDir, migrations);
  if (migrations.length) writeFile(outDir, JOURNAL, `${JSON.stringify({ files: migrations }, null, 2)}\n`);
  await putInPlace(outDir, migrations, files);
  const lock = files.get(LOCK_FILE);
  if ((lock !== undefined || remove.length > 0) && !stillHeld())
    throw new IoError(`the build lock of ${outDir} was taken over while this build ran; nothing was committed`);
  if (lock !== undefined) writeFile(outDir, LOCK_FILE, lock);
  // What the (new) lock no longer lists goes after it: replaced work in progress, orphans, a format 1 lock.
  for (const rel of remove) if (REMOVABLE.test(rel) && !files.has(rel)) rmSync(join(outDir, rel), { force: true });
  rmSync(join(outDir, JOURNAL), { force: true });
}

/**
 * The migrations of a build, in place before the lock names them: each
 * written to a temporary file beside it (`<name>.<pid>`) and renamed into
 * place. They are not flushed one by one (a millisecond a file on the
 * machines measured, two seconds for a build of 1,000 tables): the lock that
 * follows is written with write-file-atomic, whose flush commits them with it
 * on file systems that write data before the names that point to it (ext4's
 * default); see docs/hostile-input.md for what a power loss can leave.
 */
async function putInPlace(outDir: string, migrations: readonly string[], files: ReadonlyMap<string, string>): Promise<void> {
  const temporary = (rel: string): string => `${join(outDir, rel)}.${process.pid}`;
  for (const dir of new Set(migrations.map((rel) => dirname(join(outDir, rel))))) mkdirSync(dir, { recursive: true });
  for (const [i, rel] of migrations.entries()) {
    writeFileSync(temporary(rel), files.get(rel)!);
    if (i % BATCH === BATCH - 1) await new Promise((resolve) => setImmediate(resolve));
  }
  for (const rel of migrations) renameSync(temporary(rel), join(outDir, rel));
}

function writeFile(outDir: string, rel: string, content: string): void {
  const target = join(outDir, rel);
  mkdirSync(dirname(target), { recursive: true });
  writeFileAtomic.sync(target, content);
}

/**
 * Undoes what a killed build left, before a build reads the output
 * directory (under the build lock): the migrations it put in place but never
 * listed in the lock, and its temporary files. Returns what was removed,
 * relative to the output directory.
 */
export function recoverBuild(outDir: string): string[] {
  const removed = interruptedBuild(outDir);
  for (const f of removed) rmSync(join(outDir, f), { force: true });
  rmSync(join(outDir, JOURNAL), { force: true });
  for (const [dir, prefix] of [
    [outDir, ''],
    [join(outDir, STAGING_DIR), `${STAGING_DIR}/`],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!TEMPORARY.test(name)) continue;
      rmSync(join(dir, name), { force: true });
      removed.push(`${prefix}${name}`);
    }
  }
  return removed;
}
