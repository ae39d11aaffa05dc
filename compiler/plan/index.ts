/**
 * Stage 6, plan: which migration each ready feature has, and the new ones.
 *
 * Input: the ready features in fold order, the lock, the versions taken in
 * the output directory, the clock, each feature's delta, the parser.
 * Output: the plan (one entry per ready feature: emitted, or new with its
 * version and SQL), the files a build writes (migrations and the new lock),
 * and the diagnostics of what stops a new migration (placed before a shipped
 * feature, a file name that is not valid, SQL that does not parse).
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Feature } from '../model/types.js';
import { snapshotFeature } from '../model/snapshot.js';
import type { AdditiveChange } from '../diff/changes.js';
import { emitStatements, renderMigration } from '../emit/index.js';
import { entryLine, LOCK_FILE, nextVersion, renderLock, sha256, STAGING_DIR, type Lock, type LockEntry } from '../lock/index.js';
import type { SqlParser } from '../sql/parser.js';
import type { Stopwatch } from '../report/timings.js';

/** PlannedMigration is one feature's migration: already emitted, or new in this build. */
export interface PlannedMigration {
  feature: string;
  phase: number;
  version: string;
  file: string;
  environments: Feature['environments'];
  status: 'emitted' | 'new';
  sql: string | null;
  /** A migration in progress that this one replaces (its spec changed, or shipped features now come after it). */
  replaces?: string;
}

/** Where a migration file lives for each environment, relative to the output directory. */
export function migrationPaths(file: string, environments: readonly string[]): string[] {
  const paths = [`${STAGING_DIR}/${file}`];
  if (environments.includes('production')) paths.unshift(file);
  return paths;
}

/** A feature's migration as `build` writes it at `version`, and the lock entry that records it. */
export function deriveMigration(feature: Feature, version: string, delta: readonly AdditiveChange[]): { sql: string; entry: LockEntry } {
  const file = `${version}_${feature.name}.sql`;
  const sql = renderMigration({ feature, version, changes: delta }, emitStatements(delta));
  const entry: LockEntry = {
    feature: feature.name,
    phase: feature.phase,
    version,
    file,
    environments: [...feature.environments],
    sha256: sha256(sql),
    ...(feature.legacy ? {} : { grants: 'exact' as const }),
    spec: snapshotFeature(feature),
  };
  return { sql, entry };
}

/**
 * PlanInput is what planning reads. `shipped`: the base branch's lock
 * entries (null without a base: then every entry of the lock is shipped);
 * `blocked`: the spec has errors, so nothing new is rendered; `rewriteLock`:
 * the lock must be written even if no entry changes (a format 1 lock).
 */
export interface PlanInput {
  ready: readonly Feature[];
  lock: Lock;
  shipped: readonly LockEntry[] | null;
  outFiles: ReadonlyMap<string, string>;
  now: Date;
  deltaOf: (feature: Feature) => AdditiveChange[];
  parser: SqlParser;
  blocked: boolean;
  rewriteLock: boolean;
  clock: Stopwatch;
}

/** Plan is the migrations of the ready features, the files a build writes and removes, and what stopped a new migration. */
export interface Plan {
  plan: PlannedMigration[];
  files: Map<string, string>;
  /** Migrations of work in progress that a build replaces or drops (paths relative to the output directory). */
  remove: string[];
  /** The lock as the build leaves it. */
  entries: LockEntry[];
  diagnostics: Diagnostic[];
}

const VERSION_OF = /^(?:staging\/)?([0-9]{14})_/;

/** The latest version of what stays: shipped entries and files pamc does not own (hand-written); not work in progress. */
function latestVersion(shipped: readonly LockEntry[], outFiles: ReadonlyMap<string, string>, inProgress: ReadonlySet<string>): string | null {
  let latest: string | null = null;
  const take = (v: string): void => {
    if (latest === null || v > latest) latest = v;
  };
  for (const e of shipped) take(e.version);
  for (const path of outFiles.keys()) {
    const m = VERSION_OF.exec(path);
    if (m && !inProgress.has(path)) take(m[1]!);
  }
  return latest;
}

/**
 * Plans every ready feature, in spec order. A shipped feature keeps its
 * migration. A feature in progress (in the lock, not in the base's) keeps
 * its migration while that is still what its spec emits, at a version after
 * everything shipped; otherwise it gets a new one and the old is removed.
 * A new feature gets a version after everything that stays.
 */
export function planMigrations(input: PlanInput): Plan {
  const { ready, lock, clock } = input;
  const out: Plan = { plan: [], files: new Map(), remove: [], entries: [], diagnostics: [] };
  const shipped = input.shipped ?? lock.entries;
  const shippedOf = new Map(shipped.map((e) => [e.feature, e]));
  const wip = new Map(lock.entries.filter((e) => !shippedOf.has(e.feature)).map((e) => [e.feature, e]));
  const wipPaths = new Set([...wip.values()].flatMap((e) => migrationPaths(e.file, e.environments)));
  let lastShipped = -1;
  for (const [i, f] of ready.entries()) if (shippedOf.has(f.name)) lastShipped = i;
  let latest = latestVersion(shipped, input.outFiles, wipPaths);
  const kept: LockEntry[] = [];
  for (const [i, f] of ready.entries()) {
    const entry = shippedOf.get(f.name);
    if (entry) {
      out.plan.push({
        feature: f.name,
        phase: f.phase,
        version: entry.version,
        file: entry.file,
        environments: entry.environments,
        status: 'emitted',
        sql: null,
      });
    } else if (i < lastShipped) {
      const later = ready.slice(i + 1).find((x) => shippedOf.has(x.name))!;
      out.diagnostics.push(...judge({ kind: 'new-before-shipped', span: f.span, feature: f, later }));
    } else if (input.blocked && wip.has(f.name)) {
      // Nothing is rebuilt while the spec has errors: work in progress stays as it is.
      out.plan.push({ ...planned(f, wip.get(f.name)!), status: 'emitted', sql: null });
    } else if (input.blocked) {
      out.plan.push({ feature: f.name, phase: f.phase, version: '', file: '', environments: f.environments, status: 'new', sql: null });
    } else {
      const previous = wip.get(f.name);
      wip.delete(f.name);
      const same = previous && (latest === null || previous.version > latest) ? unchanged(input, f, previous) : false;
      if (previous && same) {
        latest = previous.version;
        kept.push(previous);
        out.plan.push({ ...planned(f, previous), status: 'emitted', sql: null });
        continue;
      }
      // A rebuilt migration takes a version of its own, also when rebuilt in the second its last version was taken.
      const version = nextVersion(
        input.now,
        [latest, previous?.version].filter((v): v is string => Boolean(v)),
      );
      latest = version;
      const made = newMigration(input, f, version, out.diagnostics);
      if (!made) continue;
      if (previous) out.remove.push(...migrationPaths(previous.file, previous.environments));
      out.plan.push({ ...planned(f, made.entry), status: 'new', sql: made.sql, ...(previous ? { replaces: previous.file } : {}) });
      for (const path of migrationPaths(made.entry.file, f.environments)) out.files.set(path, made.sql);
      kept.push(made.entry);
    }
  }
  // Work in progress whose feature left the spec (or went to a draft phase): never shipped, so removed.
  if (!input.blocked) for (const e of wip.values()) out.remove.push(...migrationPaths(e.file, e.environments));
  out.entries = input.blocked ? [...lock.entries] : [...shipped, ...kept];
  clock.measure('lock', () => writeLock(input, out));
  return out;
}

/** The lock goes with the files when anything changed. */
function writeLock(input: PlanInput, out: Plan): void {
  const same = (a: readonly LockEntry[]): string => a.map(entryLine).join('\n');
  const changed = out.files.size > 0 || out.remove.length > 0 || input.rewriteLock || same(out.entries) !== same(input.lock.entries);
  if (!input.blocked && changed) out.files.set(LOCK_FILE, renderLock(out.entries));
}

function planned(f: Feature, e: LockEntry): Omit<PlannedMigration, 'status' | 'sql'> {
  return { feature: f.name, phase: f.phase, version: e.version, file: e.file, environments: e.environments };
}

/** Whether a migration in progress is still exactly what its feature emits at its version (files and lock entry). */
function unchanged(input: PlanInput, f: Feature, previous: LockEntry): boolean {
  const derived = input.clock.measure('emit', () => deriveMigration(f, previous.version, input.deltaOf(f)));
  if (entryLine(derived.entry) !== entryLine(previous)) return false;
  return migrationPaths(previous.file, previous.environments).every((path) => input.outFiles.get(path) === derived.sql);
}

/** A new feature's migration, parse-checked; null (with the diagnostics) when it cannot be written. */
function newMigration(input: PlanInput, f: Feature, version: string, diagnostics: Diagnostic[]): { sql: string; entry: LockEntry } | null {
  const made = input.clock.measure('emit', () => deriveMigration(f, version, input.deltaOf(f)));
  const error = input.clock.measure('parse-check', () => input.parser.check(made.sql));
  const found = [
    ...(error ? judge({ kind: 'unparsable', span: f.span, feature: f.name, message: error.message }) : []),
    ...judge({ kind: 'migration-name', span: f.span, feature: f.name, file: made.entry.file }),
  ];
  diagnostics.push(...found);
  return found.length ? null : made;
}
