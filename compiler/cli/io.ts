/**
 * The shell's file system side: reading the spec and the output directory,
 * and writing a build atomically. Nothing here decides anything.
 */
import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { SourceFile } from '../report/diagnostic.js';
import { LOCK_FILE, STAGING_DIR } from '../lock/index.js';
import { discardStaged, placeStaged, stageFiles, withdrawStaged, type Stage, type StagedFile } from './stage.js';

/** IoError is a failure to read or write, reported with exit status 2. */
export class IoError extends Error {}

/** Largest phase file pamc reads; larger ones are refused before parsing. */
export const MAX_SOURCE_BYTES = 1024 * 1024;

/** SpecFiles is what the CLI read of the spec, and the files it refused to read. */
export interface SpecFiles {
  sources: SourceFile[];
  refused: Array<{ path: string; reason: string }>;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** Decodes UTF-8; invalid bytes become U+FFFD, which the loader reports. */
export function decode(bytes: Buffer): string {
  return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
}

/** Reads every *.yaml / *.yml under `dir`, sorted by path; symlinks must stay inside `root`. */
export function readSpec(dir: string, root: string): SpecFiles {
  if (!existsSync(dir)) throw new IoError(`schema directory ${dir} does not exist (use --schema to name another)`);
  const sources: SourceFile[] = [];
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
      if (!/\.ya?ml$/.test(e.name)) continue;
      const read = readBounded(path);
      if ('reason' in read) {
        refused.push({ path: shown, reason: read.reason });
        continue;
      }
      // A byte-order mark is not part of the YAML: without this, every column of line 1 would be off by one.
      sources.push({ path: shown, text: decode(read.bytes).replace(/^\uFEFF/, '') });
    }
  };
  walk(dir);
  return { sources, refused };
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
    const buffer = Buffer.alloc(MAX_SOURCE_BYTES + 1);
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
  const lockPath = join(outDir, LOCK_FILE);
  if (existsSync(lockPath)) lock = { path: `${shownOut}/${LOCK_FILE}`, text: decode(readFileSync(lockPath)) };
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

/**
 * Writing a build: migrations first, the lock last. The lock is the commit
 * point: a migration file the lock does not list was never emitted.
 *
 * Writing is in two halves, which `pamc build` runs with the parse-check
 * between them. stageBuild writes the journal, each migration and the lock
 * to a temporary file beside it and starts flushing them all to disk;
 * commitBuild waits for the flush, then puts the journal, the migrations
 * and the lock in place in that order and removes the journal, so a
 * migration appears whole or not at all, and before the lock that lists it.
 * Until the lock is in place, the CLI may still decide not to commit, and
 * take the build back: `pamc build` puts the migrations in place while it
 * parse-checks them, and the lock only once every one parses (BuildWrite).
 */

/** A build about to be written: its migrations in path order, the lock apart. */
export interface PlannedBuild {
  migrations: Array<[string, string]>;
  lock: string | null;
}

/** Orders a build's files and refuses, before anything is written, to write over a migration. */
export function planBuild(outDir: string, files: ReadonlyMap<string, string>): PlannedBuild {
  const migrations: Array<[string, string]> = [];
  // One listing per directory, not one lookup per file: a large build writes tens of thousands. Names are
  // compared in lower case (pamc's are), so a file system that ignores case cannot hide a clash.
  const listed = new Map<string, Set<string>>();
  const present = (target: string): boolean => {
    const dir = dirname(target);
    let names = listed.get(dir);
    if (!names) {
      names = new Set(existsSync(dir) ? readdirSync(dir).map((n) => n.toLowerCase()) : []);
      listed.set(dir, names);
    }
    return names.has(basename(target).toLowerCase());
  };
  for (const rel of [...files.keys()].filter((k) => k !== LOCK_FILE).sort()) {
    const target = join(outDir, rel);
    if (present(target)) throw new IoError(`${target} already exists; pamc never rewrites a migration`);
    migrations.push([rel, files.get(rel)!]);
  }
  return { migrations, lock: files.get(LOCK_FILE) ?? null };
}

/** A staged build: the journal and the migrations, put in place first, and the lock, put in place last. */
export interface StagedBuild {
  stage: Stage;
  migrations: StagedFile[];
  lock: StagedFile | null;
}

/**
 * Stages a build (./stage.ts): the journal first, then the migrations, the
 * lock last, the order in which they are put in place. The journal names
 * what the renames put in place until the lock lists it: a build killed
 * between the first rename and the lock leaves migrations no lock lists,
 * which recoverBuild removes.
 */
export function stageBuild(outDir: string, build: PlannedBuild): StagedBuild {
  const files: Array<readonly [string, string]> = [];
  if (build.migrations.length) files.push([JOURNAL, `${JSON.stringify({ files: build.migrations.map(([rel]) => rel) }, null, 2)}\n`]);
  files.push(...build.migrations);
  if (build.lock !== null) files.push([LOCK_FILE, build.lock]);
  const stage = stageFiles(outDir, files);
  const lock = build.lock !== null ? stage.files[stage.files.length - 1]! : null;
  return { stage, migrations: lock ? stage.files.slice(0, -1) : stage.files, lock };
}

/** Puts the journal and the migrations of a staged build in place, once its flush is done; not the lock. */
function placeMigrations(staged: StagedBuild): void {
  placeStaged(staged.migrations);
}

/** Puts the lock in place, the commit point, and removes the journal. */
function placeLock(outDir: string, staged: StagedBuild): void {
  if (staged.lock) placeStaged([staged.lock]);
  rmSync(join(outDir, JOURNAL), { force: true });
}

/**
 * Takes back a build that will not be committed: the migrations it may have
 * put in place and its temporary files, the journal last. The lock in place
 * is the previous build's and stays; only the new one's temporary file goes.
 * If anything could not be removed, the journal stays, naming what the next
 * build removes (recoverBuild).
 */
function withdrawBuild(staged: StagedBuild): void {
  if (staged.lock) discardStaged([staged.lock]);
  const [journal, ...migrations] = staged.migrations;
  if (!journal) return;
  if (withdrawStaged(migrations)) withdrawStaged([journal]);
  else discardStaged([journal]);
}

/** Puts a staged build in place; on failure, what it staged or placed is taken back and the error thrown. */
export async function commitBuild(outDir: string, staged: StagedBuild): Promise<void> {
  try {
    await staged.stage.durable;
    placeMigrations(staged);
  } catch (error) {
    withdrawBuild(staged);
    throw error;
  }
  placeLock(outDir, staged);
}

/**
 * A build being written, for a caller that parse-checks it meanwhile: staged
 * at once (stageBuild); its journal and migrations put in place by
 * placeIfFlushed once the flush is done (the caller calls it between
 * batches of its work); then committed, the lock put in place, or taken
 * back (finish).
 */
export class BuildWrite {
  readonly staged: StagedBuild;
  /** Time spent putting files in place from placeIfFlushed, in milliseconds. */
  placeMs = 0;
  private flushed = false;
  private placed = false;
  private failure: { error: unknown } | null = null;

  constructor(
    private readonly outDir: string,
    build: PlannedBuild,
  ) {
    this.staged = stageBuild(outDir, build);
    this.staged.stage.durable.then(
      () => (this.flushed = true),
      () => undefined,
    );
  }

  /** Puts the journal and the migrations in place if the flush is done and they are not in place yet; never the lock. */
  placeIfFlushed(): void {
    if (!this.flushed || this.placed || this.failure) return;
    const t0 = performance.now();
    try {
      placeMigrations(this.staged);
      this.placed = true;
    } catch (error) {
      this.failure = { error };
    }
    this.placeMs += performance.now() - t0;
  }

  /**
   * Commits the build (`commit`: every migration parses), putting in place
   * what is not yet and the lock last, or takes it all back. A failure to
   * put a file in place, now or earlier, takes it back and is thrown.
   */
  async finish(commit: boolean): Promise<void> {
    if (this.failure || !commit) {
      withdrawBuild(this.staged);
      if (this.failure) throw this.failure.error;
      return;
    }
    if (this.placed) placeLock(this.outDir, this.staged);
    else await commitBuild(this.outDir, this.staged);
  }
}

/** The journal of a build between its first rename and its lock (see stageBuild). */
export const JOURNAL = '.pamc-build.journal';

/** pamc's temporary files: `.<file>.<pid>.tmp` beside a migration, the lock or the journal. */
const TEMPORARY = /^\.(?:[^/]+\.sql|pamc\.lock\.json|\.pamc-build\.journal)\.\d+\.tmp$/;

/** The files the lock lists (paths relative to the output directory), or null when it cannot be read. */
function lockedPaths(outDir: string): Set<string> | null {
  const path = join(outDir, LOCK_FILE);
  if (!existsSync(path)) return new Set();
  try {
    const lock = JSON.parse(readFileSync(path, 'utf8')) as { migrations?: Array<{ file?: unknown; environments?: unknown }> };
    const out = new Set<string>();
    for (const m of lock.migrations ?? []) {
      if (typeof m.file !== 'string') continue;
      out.add(m.file);
      out.add(`${STAGING_DIR}/${m.file}`);
    }
    return out;
  } catch {
    return null;
  }
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
    files = (JSON.parse(readFileSync(journal, 'utf8')) as { files: string[] }).files.filter((f) => typeof f === 'string');
  } catch {
    return [];
  }
  const locked = lockedPaths(outDir);
  if (locked === null) return [];
  return files.filter((f) => !locked.has(f) && !f.includes('..') && existsSync(join(outDir, f)));
}

/**
 * Undoes what a killed build left, before a build reads the output
 * directory (under the build lock, so no build is running): its temporary
 * files, and the migrations it renamed into place but never listed in the
 * lock. The lock is the commit point: what it does not list was never
 * emitted. Returns what was removed, relative to the output directory.
 */
export function recoverBuild(outDir: string): string[] {
  const removed: string[] = [];
  for (const f of interruptedBuild(outDir)) {
    rmSync(join(outDir, f), { force: true });
    removed.push(f);
  }
  rmSync(join(outDir, JOURNAL), { force: true });
  for (const [dir, prefix] of [
    [outDir, ''],
    [join(outDir, STAGING_DIR), `${STAGING_DIR}/`],
  ] as const) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      // The build lock's own scratch files: only those of builds that no longer run.
      const scratch = /^\.pamc-build\.lock\.(\d+)(?:\.stale)?$/.exec(name);
      if (!TEMPORARY.test(name) && !(scratch && !holderAlive(Number(scratch[1])))) continue;
      rmSync(join(dir, name), { force: true });
      removed.push(`${prefix}${name}`);
    }
  }
  return removed;
}

/** The build lock's file name in the output directory. */
export const BUILD_LOCK = '.pamc-build.lock';

/**
 * Takes the build lock of an output directory, so two builds never
 * interleave. The lock file appears with the holder's pid already in it (a
 * hard link of a file written first): a file created empty and filled after
 * would look stale, for an instant, to a second build, which would then take
 * the lock too. A lock whose holder no longer runs is taken over.
 */
export function acquireBuildLock(outDir: string): () => void {
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, BUILD_LOCK);
  const mine = join(outDir, `${BUILD_LOCK}.${process.pid}`);
  const content = `${process.pid}\n`;
  writeFileSync(mine, content);
  try {
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        linkSync(mine, path);
        return () => {
          // Only our own lock: never one another build took over.
          if (readHolder(path) === process.pid) rmSync(path, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = readHolder(path);
      if (holder !== null && holderAlive(holder)) {
        throw new IoError(
          `another pamc build (pid ${holder}) is writing ${outDir}; wait for it to finish (if no pamc runs, remove ${join(outDir, BUILD_LOCK)})`,
        );
      }
      // Stale. Move it aside under a name of our own, so two builds cannot both remove it and both take the
      // lock; if what was moved is not what was judged stale, another build took the lock meanwhile: give it back.
      const aside = join(outDir, `${BUILD_LOCK}.${process.pid}.stale`);
      try {
        renameSync(path, aside);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      const moved = readHolder(aside);
      if (moved !== holder && moved !== null && holderAlive(moved)) {
        try {
          linkSync(aside, path);
        } catch {
          // A third build holds the lock now; it is that build's.
        }
        rmSync(aside, { force: true });
        throw new IoError(`another pamc build (pid ${moved}) is writing ${outDir}; wait for it to finish`);
      }
      rmSync(aside, { force: true });
    }
    throw new IoError(`cannot take the build lock ${path}: it keeps changing hands; wait for other pamc builds to finish`);
  } finally {
    rmSync(mine, { force: true });
  }
}

/** The pid in a build lock file; null when the file is gone, empty or not a pid (left by a build killed long ago). */
function readHolder(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
  const pid = Number(text);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** A build lock left by a process that no longer runs (killed mid-build) is stale. */
function holderAlive(pid: number): boolean {
  // Our own pid in a lock we do not hold yet: a killed build's, whose pid came round again (pid 1 in a container).
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
