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
import { LOCK_FILE, nextVersion, renderLock, sha256, STAGING_DIR, type Lock, type LockEntry } from '../lock/index.js';
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
    ...(feature.exactGrants ? { grants: 'exact' as const } : {}),
    spec: snapshotFeature(feature),
  };
  return { sql, entry };
}

/** PlanInput is what planning reads. `blocked`: the spec has errors, so nothing new is rendered. */
export interface PlanInput {
  ready: readonly Feature[];
  lock: Lock;
  outFiles: ReadonlyMap<string, string>;
  now: Date;
  deltaOf: (feature: Feature) => AdditiveChange[];
  parser: SqlParser;
  blocked: boolean;
  clock: Stopwatch;
}

/** Plan is the migrations of the ready features, the files a build writes, and what stopped a new migration. */
export interface Plan {
  plan: PlannedMigration[];
  files: Map<string, string>;
  diagnostics: Diagnostic[];
}

/** The latest version in the lock or the output directory (hand-written files included). */
function latestVersion(lock: Lock, outFiles: ReadonlyMap<string, string>): string | null {
  let latest: string | null = null;
  const take = (v: string): void => {
    if (latest === null || v > latest) latest = v;
  };
  for (const e of lock.entries) take(e.version);
  for (const path of outFiles.keys()) {
    const m = /^(?:staging\/)?([0-9]{14})_/.exec(path);
    if (m) take(m[1]!);
  }
  return latest;
}

/** Plans every ready feature; new ones get versions after everything in the directory, in spec order. */
export function planMigrations(input: PlanInput): Plan {
  const { ready, lock, clock } = input;
  const out: Plan = { plan: [], files: new Map(), diagnostics: [] };
  const entryOf = new Map<string, LockEntry>();
  for (const e of lock.entries) if (!entryOf.has(e.feature)) entryOf.set(e.feature, e);
  let lastEmitted = -1;
  for (const [i, f] of ready.entries()) if (entryOf.has(f.name)) lastEmitted = i;
  let latest = latestVersion(lock, input.outFiles);
  const fresh: LockEntry[] = [];
  for (const [i, f] of ready.entries()) {
    const entry = entryOf.get(f.name);
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
    } else if (i < lastEmitted) {
      const later = ready.slice(i + 1).find((x) => entryOf.has(x.name))!;
      out.diagnostics.push(...judge({ kind: 'new-before-shipped', span: f.span, feature: f, later }));
    } else if (input.blocked) {
      out.plan.push({ feature: f.name, phase: f.phase, version: '', file: '', environments: f.environments, status: 'new', sql: null });
    } else {
      const version = nextVersion(input.now, latest === null ? [] : [latest]);
      latest = version;
      const made = newMigration(input, f, version, out.diagnostics);
      if (!made) continue;
      out.plan.push({ feature: f.name, phase: f.phase, version, file: made.entry.file, environments: f.environments, status: 'new', sql: made.sql });
      for (const path of migrationPaths(made.entry.file, f.environments)) out.files.set(path, made.sql);
      fresh.push(made.entry);
    }
  }
  clock.measure('lock', () => fresh.length && out.files.set(LOCK_FILE, renderLock([...lock.entries, ...fresh])));
  return out;
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
