/**
 * The pure core: spec and lock in, diagnostics and files out.
 *
 * Input: CompileInput (the texts the CLI read, the clock, the options).
 * Output: CompileOutput: every diagnostic, the migration plan, and the files
 * `build` would write (empty when nothing is new or anything is wrong). No
 * I/O happens here; the CLI writes the files, atomically, and only when
 * there is no error.
 *
 * Stages: load → validate → model (each phase file through all three before
 * the next) → fold (per environment) → history (lock vs spec, through the
 * rules) → emit → parse-check.
 */
import type { Diagnostic, SourceFile, Span } from './report/diagnostic.js';
import { compareDiagnostics, hasErrors } from './report/diagnostic.js';
import { diagnostic } from './rules/index.js';
import { runRules } from './rules/run.js';
import { fromJson, loadFile } from './load/index.js';
import { validateFile } from './validate/index.js';
import { readFeature, Reader, SpecBuilder, type ModelOptions } from './model/index.js';
import { featuresInOrder, type ExistingTable, type Feature, type Spec } from './model/types.js';
import { canonicalJson, firstDifference, snapshotFeature } from './model/snapshot.js';
import { fold } from './diff/fold.js';
import { diffStates, type AdditiveChange, type Change } from './diff/changes.js';
import { originFeature, type SchemaState, type TableState } from './diff/state.js';
import { emitStatements, renderMigration } from './emit/index.js';
import { LOCK_FILE, MIGRATION_NAME, nextVersion, parseLock, renderLock, sha256, STAGING_DIR, type Lock, type LockEntry } from './lock/index.js';
import type { ParseError, SqlParser } from './sql/parser.js';
import { stopwatch } from './report/timings.js';
import { checkType } from './sql/fragments.js';

/** CompileInput is everything the core reads. Paths are as the user should see them. */
export interface CompileInput {
  /** The phase files. */
  sources: SourceFile[];
  /** The lock file, or null when there is none yet. */
  lock: SourceFile | null;
  /** The output directory as the user names it (for paths in messages). */
  outDir: string;
  /** Every .sql file of the output directory and its staging directory, keyed by path relative to the output directory. */
  outFiles: ReadonlyMap<string, string>;
  /** The clock, for versions of new migrations. */
  now: Date;
  options: ModelOptions;
  /** With `check --base`: the lock at the base ref, whose entries are what was shipped. */
  baseLock?: SourceFile | null;
}

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

/** CompileOutput is everything the core produces. */
export interface CompileOutput {
  diagnostics: Diagnostic[];
  spec: Spec | null;
  plan: PlannedMigration[];
  /** Files to write, keyed by path relative to the output directory; empty unless the build is clean and something is new. */
  files: Map<string, string>;
  /** .sql files in the output directory that pamc does not own (hand-written). */
  foreign: string[];
  /** Time spent per stage, in milliseconds, for `--timings` and the benchmark. */
  timings: Record<string, number>;
}

/** Where a migration file lives for each environment, relative to the output directory. */
export function migrationPaths(file: string, environments: readonly string[]): string[] {
  const paths = [`${STAGING_DIR}/${file}`];
  if (environments.includes('production')) paths.unshift(file);
  return paths;
}

export function compile(input: CompileInput, parser: SqlParser): CompileOutput {
  const { timings, lap, add } = stopwatch();
  const diagnostics: Diagnostic[] = [];
  const result = (spec: Spec | null, plan: PlannedMigration[], files: Map<string, string>, foreign: string[]): CompileOutput => ({
    diagnostics: diagnostics.sort(compareDiagnostics),
    spec,
    plan,
    files: hasErrors(diagnostics) ? new Map() : files,
    foreign,
    timings,
  });

  // Each file is loaded, validated and read into the model before the next, and its tree then dropped (SpecBuilder).
  const builder = new SpecBuilder(input.options, parser);
  let validFiles = 0;
  for (const source of input.sources) {
    const loaded = loadFile(source);
    diagnostics.push(...loaded.diagnostics);
    lap('load');
    if (!loaded.file) continue;
    const invalid = validateFile(loaded.file);
    diagnostics.push(...invalid);
    lap('validate');
    if (invalid.length > 0) continue;
    validFiles++;
    builder.add(loaded.file);
    lap('model');
  }
  const model = builder.finish();
  diagnostics.push(...model.diagnostics);
  const spec = model.spec;
  lap('model');

  const { lock, diagnostics: lockDiagnostics } = parseLock(input.lock);
  diagnostics.push(...lockDiagnostics);
  const base = input.baseLock !== undefined ? parseLock(input.baseLock) : null;
  if (base) diagnostics.push(...base.diagnostics.map((d) => ({ ...d, message: `(at the base ref) ${d.message}` })));

  const all = featuresInOrder(spec);
  const existing = spec.phases.flatMap((p) => p.existing);
  const ready = all.filter((f) => !f.draft);
  const production = ready.filter((f) => f.environments.includes('production'));
  const isStagingOnly = (f: Feature): boolean => !f.environments.includes('production');
  // One fold per environment; where two fold the same features (no staging-only feature, no draft), the
  // first one's changes serve both, and the second would only have reported its own features, which it has none of.
  const prodFold = fold(production, existing, (f) => !f.draft, all);
  const stagingFold = ready.length === production.length ? { ...prodFold, diagnostics: [] } : fold(ready, existing, isStagingOnly, all);
  const draftFold = all.length === ready.length ? { ...stagingFold, diagnostics: [] } : fold(all, existing, (f) => f.draft, all);
  diagnostics.push(...prodFold.diagnostics, ...stagingFold.diagnostics, ...draftFold.diagnostics);
  const deltaOf = (f: Feature): AdditiveChange[] => (isStagingOnly(f) ? stagingFold.changes.get(f.name) : prodFold.changes.get(f.name)) ?? [];
  lap('diff');

  const canon = (type: string): string => {
    const r = checkType(parser, type);
    return 'canonical' in r ? r.canonical : type;
  };

  // History: what was shipped (the lock, or the base lock with --base) against the spec.
  const shipped = base ? base.lock : lock;
  // A file that failed to load or validate is missing from the spec; its phase is not gone.
  const incomplete = validFiles < input.sources.length;
  diagnostics.push(...history(shipped, spec, existing, parser, input.options, canon, incomplete));
  if (base) diagnostics.push(...compareLocks(base.lock, lock));
  const emittedNames = new Set(lock.entries.map((e) => e.feature));
  // Unsafe additions in features not yet emitted, judged where a table may already hold rows:
  // a table of an emitted feature, or one pamc did not create.
  const mayHoldRows = (t: TableState): boolean => t.origin.kind !== 'feature' || emittedNames.has(t.origin.feature);
  for (const f of all) {
    if (emittedNames.has(f.name)) continue;
    const delta = (f.draft ? (draftFold.changes.get(f.name) ?? []) : deltaOf(f)).filter(
      (c) => (c.kind !== 'add_column' && c.kind !== 'add_index') || mayHoldRows(c.table),
    );
    diagnostics.push(...runRules(delta, 'migration', (c) => locateAdditive(c, f)));
  }
  lap('rules');

  // Output integrity: files pamc owns must match the lock; versions must increase.
  const owned = new Set<string>();
  for (const [i, e] of lock.entries.entries()) {
    const at = lock.spans[i] ?? lock.span;
    for (const path of migrationPaths(e.file, e.environments)) {
      owned.add(path);
      const text = input.outFiles.get(path);
      if (text === undefined) {
        diagnostics.push(
          diagnostic(
            'missing-migration',
            at,
            `${input.outDir}/${path} is listed in the lock but missing`,
            'restore it from version control (git checkout -- <path>); an emitted migration is never rewritten',
          ),
        );
      } else if (sha256(text) !== e.sha256) {
        diagnostics.push(
          diagnostic(
            'modified-migration',
            at,
            `${input.outDir}/${path} was edited after it was emitted: its SHA-256 no longer matches the lock`,
            'restore the file from version control; say the change in the spec as a new feature, and `pamc build` writes a new migration',
          ),
        );
      }
    }
    const prev = lock.entries[i - 1];
    if (prev && e.version <= prev.version) {
      diagnostics.push(
        diagnostic(
          'version-order',
          at,
          `migration ${e.file} has version ${e.version}, not later than ${prev.file}: Supabase would apply it first, out of feature order`,
          `if ${e.feature} has not been applied anywhere yet, delete its lock entry and files and run \`pamc build\` to give it a new version`,
        ),
      );
    }
  }
  const foreign = [...input.outFiles.keys()].filter((p) => !owned.has(p) && !p.startsWith(`${STAGING_DIR}/`)).sort();
  lap('rules');

  // Plan and emit.
  const plan: PlannedMigration[] = [];
  const files = new Map<string, string>();
  const taken = new Set<string>(lock.entries.map((e) => e.version));
  for (const path of input.outFiles.keys()) {
    const m = /^(?:staging\/)?([0-9]{14})_/.exec(path);
    if (m) taken.add(m[1]!);
  }
  let lastEmittedIndex = -1;
  for (const [i, f] of ready.entries()) if (emittedNames.has(f.name)) lastEmittedIndex = i;
  const newEntries: LockEntry[] = [];
  // A spec with errors is not emitted: its features are planned, never rendered.
  const blocked = hasErrors(diagnostics);
  let emitMs = 0;
  let parseMs = 0;
  let lockMs = 0;
  const entryOf = new Map<string, LockEntry>();
  for (const e of lock.entries) if (!entryOf.has(e.feature)) entryOf.set(e.feature, e);
  // The latest version taken so far: each new version is the clock, or one second after it.
  let latest: string | null = null;
  for (const v of taken) if (latest === null || v > latest) latest = v;
  for (const [i, f] of ready.entries()) {
    const entry = entryOf.get(f.name);
    if (entry) {
      plan.push({ feature: f.name, phase: f.phase, version: entry.version, file: entry.file, environments: entry.environments, status: 'emitted', sql: null });
      continue;
    }
    if (i < lastEmittedIndex) {
      const later = ready.slice(i + 1).find((x) => emittedNames.has(x.name))!;
      diagnostics.push(
        diagnostic(
          'reorder-features',
          f.span,
          `new feature \`${f.name}\` comes before \`${later.name}\`, which was already emitted: its migration would run after it, in another order than the spec says`,
          `move \`${f.name}\` to a phase after ${later.phase}, or after \`${later.name}\` in its file`,
        ),
      );
      continue;
    }
    if (blocked) {
      plan.push({ feature: f.name, phase: f.phase, version: '', file: '', environments: f.environments, status: 'new', sql: null });
      continue;
    }
    const version = nextVersion(input.now, latest === null ? [] : [latest]);
    latest = version;
    const file = `${version}_${f.name}.sql`;
    let t0 = performance.now();
    const statements = emitStatements(deltaOf(f));
    const sql = renderMigration({ feature: f, version, changes: deltaOf(f) }, statements);
    emitMs += performance.now() - t0;
    t0 = performance.now();
    const failed = parseCheck([{ feature: f.name, span: f.span, sql }], parser);
    parseMs += performance.now() - t0;
    if (failed.length) {
      diagnostics.push(...failed);
      continue;
    }
    if (!MIGRATION_NAME.test(file)) {
      diagnostics.push(
        diagnostic(
          'invalid-identifier',
          f.span,
          `feature name \`${f.name}\` does not make a valid migration file name`,
          'use lower-case letters, digits and underscores',
        ),
      );
      continue;
    }
    plan.push({ feature: f.name, phase: f.phase, version, file, environments: f.environments, status: 'new', sql });
    for (const path of migrationPaths(file, f.environments)) files.set(path, sql);
    t0 = performance.now();
    newEntries.push({ feature: f.name, phase: f.phase, version, file, environments: [...f.environments], sha256: sha256(sql), spec: snapshotFeature(f) });
    lockMs += performance.now() - t0;
  }
  add('emit', emitMs);
  add('parse-check', parseMs);
  add('lock', lockMs);
  if (newEntries.length > 0) files.set(LOCK_FILE, renderLock([...lock.entries, ...newEntries]));
  lap('lock');
  return result(spec, plan, files, foreign);
}

/**
 * Parses each new migration with the real PostgreSQL parser; one that does
 * not parse is an error at its feature.
 */
function parseCheck(migrations: ReadonlyArray<{ feature: string; span: Span; sql: string }>, parser: SqlParser): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  for (const m of migrations) {
    const error = parser.check(m.sql);
    if (error) diagnostics.push(unparsable(m, error));
  }
  return diagnostics;
}

/** The error for a new migration the parser rejected. */
function unparsable(m: { feature: string; span: Span }, error: ParseError): Diagnostic {
  return diagnostic(
    'invalid-expression',
    m.span,
    `the migration generated for \`${m.feature}\` does not parse: ${error.message}`,
    'a type, default or check of this feature is not valid in its place; simplify it',
  );
}

function locateAdditive(change: Change, f: Feature): Span {
  switch (change.kind) {
    case 'add_table':
      return change.table.span;
    case 'add_column':
      return change.column.column.span;
    case 'add_index':
      return change.index.index.span;
    case 'add_policy':
      return change.span;
    default:
      return f.span;
  }
}

/** Reads lock snapshots back into features, through the same reader as phase files. */
function lockFeatures(lock: Lock, parser: SqlParser, options: ModelOptions): Feature[] {
  const reader = new Reader(parser, options);
  const out: Feature[] = [];
  for (const [i, e] of lock.entries.entries()) {
    const span = lock.spans[i] ?? lock.span;
    const f = readFeature(
      reader,
      { key: e.feature, keySpan: span, value: fromJson(e.spec, span) },
      { phase: e.phase, title: '', draft: false, file: span.file },
    );
    if (f) out.push(f);
  }
  return out;
}

/** History: every shipped feature must still be in the spec, unchanged, in the same order. */
function history(
  lock: Lock,
  spec: Spec,
  existing: readonly ExistingTable[],
  parser: SqlParser,
  options: ModelOptions,
  canon: (t: string) => string,
  incomplete: boolean,
): Diagnostic[] {
  if (lock.entries.length === 0) return [];
  const out: Diagnostic[] = [];
  const features = featuresInOrder(spec);
  const byName = new Map(features.map((f) => [f.name, f]));
  const phases = new Set(spec.phases.map((p) => p.phase));
  const reportedPhases = new Set<number>();
  const gone = new Set<string>();
  for (const [i, e] of lock.entries.entries()) {
    const at = lock.spans[i] ?? lock.span;
    const f = byName.get(e.feature);
    if (f) continue;
    gone.add(e.feature);
    if (incomplete) continue;
    if (!phases.has(e.phase)) {
      if (reportedPhases.has(e.phase)) continue;
      reportedPhases.add(e.phase);
      const lost = lock.entries.filter((x) => x.phase === e.phase).map((x) => `\`${x.feature}\``);
      const what =
        lost.length === 1 ? `its feature ${lost[0]} was emitted: its tables stay` : `its features ${lost.join(', ')} were emitted: their tables stay`;
      out.push(
        diagnostic(
          'drop-phase',
          at,
          `phase ${e.phase} is no longer in the spec, but ${what} in every database that applied them`,
          `restore the phase ${e.phase} file; to build something new, add a new phase`,
        ),
      );
    } else {
      const phase = spec.phases.find((p) => p.phase === e.phase)!;
      out.push(
        diagnostic(
          'drop-feature',
          phase.featuresSpan,
          `feature \`${e.feature}\` (${e.file}) was emitted and is no longer in phase ${e.phase}: its migration stays applied in every database`,
          `restore \`${e.feature}\` in ${phase.file}; say new changes in a new feature`,
        ),
      );
    }
  }
  // Order of emitted features that remain.
  const shippedIndex = new Map(lock.entries.map((e, i) => [e.feature, i]));
  const specOrder = features.filter((f) => shippedIndex.has(f.name));
  const kept = inOrder(specOrder.map((f) => shippedIndex.get(f.name)!));
  for (const [i, f] of specOrder.entries()) {
    if (kept.has(i)) continue;
    const entry = lock.entries[shippedIndex.get(f.name)!]!;
    const before = lock.entries[shippedIndex.get(f.name)! - 1];
    out.push(
      diagnostic(
        'reorder-features',
        f.span,
        `emitted feature \`${f.name}\` moved: it was shipped ${before ? `after \`${before.feature}\`` : 'first'} (${entry.file}), and migrations apply in the shipped order, not the spec's`,
        'restore the order of emitted features: phase numbers and the order in each file',
      ),
    );
  }
  // Per-feature snapshot comparison; the changes are judged by the rules.
  const changed = new Set<string>();
  for (const e of lock.entries) {
    const f = byName.get(e.feature);
    if (!f) continue;
    if (canonicalJson(snapshotFeature(f)) !== canonicalJson(e.spec) || f.draft) changed.add(e.feature);
  }
  if (changed.size === 0) return out;
  const old = lockFeatures(lock, parser, options);
  const oldState = fold(old, existing, () => false).state;
  const newFeatures = features.filter((f) => shippedIndex.has(f.name));
  const newState = fold(newFeatures, existing, () => false).state;
  const changes = diffStates(onlyFeatureItems(oldState), onlyFeatureItems(newState), canon).filter((c) => {
    const who = changeFeature(c);
    return who !== null && !gone.has(who);
  });
  const judged = runRules(changes, 'history', (c) => locateHistory(c, byName));
  out.push(...judged);
  const named = new Set(changes.map(changeFeature));
  for (const name of changed) {
    if (named.has(name)) continue;
    const f = byName.get(name)!;
    const e = lock.entries.find((x) => x.feature === name)!;
    const where = f.draft ? 'it is now in a draft phase' : `the spec differs from what was emitted at \`${firstDifference(e.spec, snapshotFeature(f))}\``;
    out.push(
      diagnostic(
        'modify-emitted-feature',
        f.span,
        `feature \`${name}\` was emitted as ${e.file}, but ${where}`,
        'restore the feature as it was emitted; say changes in a new feature',
      ),
    );
  }
  return out;
}

/** Indexes of a longest increasing subsequence of `xs`: the features that kept their order; the others moved. */
function inOrder(xs: readonly number[]): Set<number> {
  const tails: number[] = [];
  const prev: number[] = new Array<number>(xs.length).fill(-1);
  for (const [i, x] of xs.entries()) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (xs[tails[mid]!]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const keep = new Set<number>();
  for (let i = tails[tails.length - 1] ?? -1; i >= 0; i = prev[i]!) keep.add(i);
  return keep;
}

/** Keeps only what features created: declared existing tables and Supabase's are not pamc's to judge. */
function onlyFeatureItems(state: SchemaState): SchemaState {
  const out: SchemaState = new Map();
  for (const [key, t] of state) {
    if (t.origin.kind === 'feature') out.set(key, t);
    else {
      const columns = t.columns.filter((c) => c.origin.kind === 'feature');
      const indexes = t.indexes.filter((i) => i.origin.kind === 'feature');
      if (columns.length || indexes.length) out.set(key, { ...t, columns, indexes });
    }
  }
  return out;
}

/** The feature a change belongs to: who created the thing that changed. */
function changeFeature(c: Change): string | null {
  switch (c.kind) {
    case 'add_table':
    case 'drop_table':
      return originFeature(c.table.origin);
    case 'rename_table':
      return originFeature(c.from.origin);
    case 'add_column':
    case 'drop_column':
      return originFeature(c.column.origin);
    case 'rename_column':
      return originFeature(c.from.origin);
    case 'alter_column':
      return originFeature(c.after.origin);
    case 'add_index':
    case 'drop_index':
      return originFeature(c.index.origin);
    case 'alter_index':
      return originFeature(c.after.origin);
    case 'add_policy':
    case 'drop_policy':
      return c.table.rls.kind === 'owner' ? originFeature(c.table.rls.origin) : originFeature(c.table.origin);
    case 'alter_rls':
      return originFeature(c.table.origin);
  }
}

/** Where, in the new spec, a history change is reported. */
function locateHistory(c: Change, byName: ReadonlyMap<string, Feature>): Span {
  const inFeature = (feature: string | null, table: TableState): Span => {
    const f = feature ? byName.get(feature) : undefined;
    if (!f) return table.span;
    const own =
      f.tables.find((t) => t.schema === table.schema && t.name === table.name) ?? f.extends.find((x) => x.schema === table.schema && x.name === table.name);
    return own?.span ?? f.span;
  };
  switch (c.kind) {
    case 'add_table':
      return c.table.span;
    case 'drop_table':
      return byName.get(originFeature(c.table.origin) ?? '')?.span ?? c.table.span;
    case 'rename_table':
      return c.to.span;
    case 'add_column':
      return c.column.column.span;
    case 'drop_column':
      return inFeature(originFeature(c.column.origin), c.table);
    case 'rename_column':
      return c.to.column.span;
    case 'alter_column':
      return c.after.column.span;
    case 'add_index':
      return c.index.index.span;
    case 'drop_index':
      return inFeature(originFeature(c.index.origin), c.table);
    case 'alter_index':
      return c.after.index.span;
    case 'add_policy':
      return c.span;
    case 'drop_policy':
      return c.table.rls.kind === 'owner' ? c.table.rls.rule.allow.span : c.table.span;
    case 'alter_rls':
      return c.after.kind === 'owner' ? c.after.rule.span : c.after.kind === 'disabled' ? c.after.waiver.span : c.table.span;
  }
}

/** With --base: every entry of the base lock must still be in the lock, identical and in place. */
function compareLocks(base: Lock, current: Lock): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [i, b] of base.entries.entries()) {
    const c = current.entries[i];
    const at = current.spans[i] ?? current.span;
    if (!c) {
      if (!current.entries.some((x) => x.feature === b.feature)) {
        out.push(
          diagnostic(
            'lock-integrity',
            current.span,
            `the lock no longer lists ${b.file}, which the base ref shipped`,
            'restore the lock entry from the base branch; shipped migrations stay in the lock forever',
          ),
        );
      }
      continue;
    }
    if (canonicalJson(c) !== canonicalJson(b)) {
      out.push(
        diagnostic(
          'lock-integrity',
          at,
          `lock entry ${i + 1} differs from the base ref (which has ${b.file}): shipped lock entries must not change`,
          'restore the lock from the base branch and run `pamc build` for the new features only',
        ),
      );
    }
  }
  return out;
}

/**
 * What `check` adds to a compile: the output directory must be exactly what
 * `build` would leave. A feature without its migration, or a file in pamc's
 * staging directory that the lock does not list, is stale output.
 */
export function staleOutput(output: CompileOutput, outFiles: ReadonlyMap<string, string>, outDir: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const features = new Map((output.spec?.phases.flatMap((p) => p.features) ?? []).map((f) => [f.name, f]));
  for (const p of output.plan) {
    if (p.status !== 'new') continue;
    out.push(
      diagnostic(
        'stale-output',
        features.get(p.feature)?.span,
        `feature \`${p.feature}\` has no migration in ${outDir}/ yet`,
        'run `pamc build` and commit what it writes',
      ),
    );
  }
  const owned = new Set(output.plan.filter((p) => p.status === 'emitted').flatMap((p) => migrationPaths(p.file, p.environments)));
  for (const path of outFiles.keys()) {
    if (path.startsWith(`${STAGING_DIR}/`) && !owned.has(path)) {
      out.push(
        diagnostic(
          'stale-output',
          undefined,
          `${outDir}/${path} is in pamc's staging directory but not in the lock`,
          `remove it: ${outDir}/${STAGING_DIR}/ holds only what pamc emits`,
        ),
      );
    }
  }
  return out;
}
