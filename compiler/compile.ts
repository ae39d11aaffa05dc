/**
 * The pure core: spec and lock in, diagnostics and files out.
 *
 * Input: CompileInput (the texts the shell read, the clock, the settings,
 * and with `check --base` what the base ref holds). Output: CompileOutput:
 * every diagnostic, the migration plan, and the files `build` would write
 * (none when nothing is new or anything is wrong). No I/O happens here; the
 * shell writes the files, and only when there is no error.
 *
 * Stages: load → validate → model (each phase file through all three before
 * the next) → fold (per environment) → history (what was shipped against the
 * spec) → output (the directory against the lock) → plan (new migrations,
 * emitted and parse-checked).
 */
import { compareDiagnostics, hasErrors, type Diagnostic, type SourceFile } from './report/diagnostic.js';
import { judge } from './rules/index.js';
import { loadFile } from './load/index.js';
import { validateFile, withoutUnknownKeys } from './validate/index.js';
import { SpecBuilder, type ModelOptions, type SqlSources } from './model/index.js';
import type { Acknowledgment, Spec } from './model/types.js';
import { foldEnvironments } from './diff/environments.js';
import { judgeHistory } from './history/index.js';
import { judgeBaseLock } from './history/base.js';
import { LEGACY_LOCK_FILE, LOCK_FILE, parseLock, type Lock } from './lock/index.js';
import { foreignFiles, judgeOutput, orphanFiles, ownedPaths } from './output/index.js';
import type { BaseRef } from './output/base.js';
import { judgeAdditions } from './plan/additions.js';
import { planMigrations, type PlannedMigration } from './plan/index.js';
import { checkType } from './sql/fragments.js';
import type { SqlParser } from './sql/parser.js';
import { stopwatch, type Stopwatch } from './report/timings.js';

export { migrationPaths, type PlannedMigration } from './plan/index.js';
export { staleOutput } from './output/stale.js';

/** CompileInput is everything the core reads. Paths are as the user should see them. */
export interface CompileInput {
  /** The phase files. */
  sources: SourceFile[];
  /** The .sql files under the schema directory, which `sql:` features name (none when absent). */
  sql?: SqlSources;
  /** The lock file, or null when there is none yet. */
  lock: SourceFile | null;
  /** The output directory as the user names it (for paths in messages). */
  outDir: string;
  /** Every .sql file of the output directory and its staging directory, keyed by path relative to the output directory. */
  outFiles: ReadonlyMap<string, string>;
  /** The clock, for versions of new migrations. */
  now: Date;
  options: ModelOptions;
  /** With a base ref: what it holds; its lock's entries are what was shipped, the rest of the lock is work in progress. */
  base?: BaseRef | null;
  /**
   * `build` repairs what it can instead of reporting it: with a base, a lock
   * that lost or changed shipped entries gets them back, and work in progress
   * whose migration is out of date is rebuilt. `check` reports both.
   */
  repair?: boolean;
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
  /** Files a build removes (relative to the output directory): replaced work in progress, orphans, a format 1 lock. */
  remove: string[];
  /** Migrations pamc wrote that no lock lists any more (a branch's, after a merge or a lost lock entry): build removes them. */
  orphans: string[];
  /** Time spent per stage, in milliseconds, for `--timings` and the benchmark. */
  timings: Record<string, number>;
}

/** Each file through load, validate and model before the next, so its tree can be dropped. `complete`: every file was read. */
function readSpec(input: CompileInput, parser: SqlParser, clock: Stopwatch): { spec: Spec; diagnostics: Diagnostic[]; complete: boolean } {
  const diagnostics: Diagnostic[] = [];
  const builder = new SpecBuilder(input.options, parser, input.sql);
  let read = 0;
  for (const source of input.sources) {
    const loaded = clock.measure('load', () => loadFile(source));
    diagnostics.push(...loaded.diagnostics);
    if (!loaded.file) continue;
    const invalid = clock.measure('validate', () => validateFile(loaded.file!));
    diagnostics.push(...invalid);
    if (invalid.length > 0) {
      // Every problem at once: a file whose only fault is unknown keys is read without them (its errors still block the build).
      const rest = withoutUnknownKeys(loaded.file);
      if (rest) clock.measure('model', () => builder.add(rest));
      continue;
    }
    read++;
    clock.measure('model', () => builder.add(loaded.file!));
  }
  const model = clock.measure('model', () => builder.finish());
  return { spec: model.spec, diagnostics: [...diagnostics, ...model.diagnostics], complete: read === input.sources.length };
}

/**
 * A lock file read, its problems judged (those of the base's lock say so).
 * A feature listed twice is build's to repair when a base shows it is work
 * in progress (`repairs`): it keeps the later version and rebuilds.
 */
function readLock(source: SourceFile | null, atBase: boolean, repairs: (feature: string) => boolean = () => false): { lock: Lock; diagnostics: Diagnostic[] } {
  const { lock, problems } = parseLock(source);
  const diagnostics = problems
    .filter((p) => !(p.duplicate && repairs(p.duplicate)))
    .flatMap((p) => judge({ kind: 'lock-unreadable', span: p.span, message: atBase ? `(at the base ref) ${p.message}` : p.message, problem: p.kind }));
  return { lock, diagnostics };
}

/**
 * Each shipped feature keeps the grants its migration was emitted with (its
 * lock entry says); every other feature gets exact grants. With a base ref,
 * shipped is what the base's lock holds: a pull request's own lock cannot
 * take exact grants away from a new feature.
 */
function withShippedGrants(spec: Spec, shipped: Lock): Spec {
  const exact = new Map(shipped.entries.map((e) => [e.feature, e.grants === 'exact']));
  return { ...spec, phases: spec.phases.map((p) => ({ ...p, features: p.features.map((f) => ({ ...f, legacy: !(exact.get(f.name) ?? true) })) })) };
}

/** Features the base shipped since the branch left it (not in the lock at the fork point). */
function behindBase(ref: BaseRef | null, shipped: Lock | null): Set<string> {
  if (!ref?.fork || !shipped) return new Set();
  const atFork = new Set(parseLock(ref.fork).lock.entries.map((e) => e.feature));
  return new Set(shipped.entries.map((e) => e.feature).filter((f) => !atFork.has(f)));
}

/** Marks the warnings the spec acknowledges: same rule, located inside the table, column or extension that says so. */
function settle(diagnostics: Diagnostic[], acknowledgments: readonly Acknowledgment[]): void {
  for (const [i, d] of diagnostics.entries()) {
    const span = d.span;
    if (d.severity !== 'warning' || !span) continue;
    const a = acknowledgments.find((x) => x.rule === d.rule && x.scope.file === span.file && x.scope.start <= span.start && span.end <= x.scope.end);
    if (a) diagnostics[i] = { ...d, acknowledged: a.reason };
  }
}

/** PostgreSQL's own spelling of a type (`timestamp with time zone` is `timestamptz`), or the type as written. */
function canonicalizer(parser: SqlParser): (type: string) => string {
  return (type) => {
    const r = checkType(parser, type);
    return 'canonical' in r ? r.canonical : type;
  };
}

/** The base's lock and the lock (a feature listed twice is build's to repair when the base shows it is work in progress). */
function readLocks(input: CompileInput): { base: ReturnType<typeof readLock> | null; current: ReturnType<typeof readLock> } {
  const base = input.base ? readLock(input.base.lock, true) : null;
  const shippedAtBase = new Set(base?.lock.entries.map((e) => e.feature) ?? []);
  const current = readLock(input.lock, false, (feature) => input.repair === true && base !== null && !shippedAtBase.has(feature));
  return { base, current };
}

/**
 * The .sql files no lock lists: orphans (pamc wrote them) and foreign ones
 * (hand-written). A lock that cannot be read lists nothing: its files are
 * not orphans, the lock is the problem.
 */
function unlisted(input: CompileInput, lock: Lock, base: Lock | null, unreadable: boolean): { orphans: string[]; foreign: string[] } {
  const orphans = unreadable ? [] : orphanFiles([lock, ...(base ? [base] : [])], input.outFiles);
  const atBase = base ? ownedPaths(base) : new Set<string>();
  return { orphans, foreign: foreignFiles(lock, input.outFiles).filter((p) => !orphans.includes(p) && !atBase.has(p)) };
}

export function compile(input: CompileInput, parser: SqlParser): CompileOutput {
  const clock = stopwatch();
  const read = readSpec(input, parser, clock);
  const { diagnostics, complete } = read;
  const { base, current } = readLocks(input);
  const spec = withShippedGrants(read.spec, base?.lock ?? current.lock);
  diagnostics.push(...current.diagnostics, ...(base?.diagnostics ?? []));
  const lock = current.lock;
  const folds = clock.measure('diff', () => foldEnvironments(spec));
  diagnostics.push(...folds.diagnostics);
  const canon = canonicalizer(parser);
  const shippedNames = new Set((base?.lock ?? lock).entries.map((e) => e.feature));
  const unshipped = new Set(base ? lock.entries.filter((e) => !shippedNames.has(e.feature)).map((e) => e.feature) : []);
  const { orphans, foreign } = unlisted(input, lock, base?.lock ?? null, current.diagnostics.length > 0);
  const repair = input.repair === true && base !== null;
  clock.measure('rules', () => {
    const history = {
      shipped: base?.lock ?? lock,
      spec,
      existing: spec.phases.flatMap((p) => p.existing),
      parser,
      options: input.options,
      canon,
      incomplete: !complete,
      behind: behindBase(input.base ?? null, base?.lock ?? null),
      ref: input.base?.ref,
    };
    diagnostics.push(...judgeHistory(history), ...(base && !repair ? judgeBaseLock(base.lock, lock, history.behind) : []));
    diagnostics.push(...judgeAdditions(folds.all, shippedNames, folds.deltaOf));
    const output = { lock, outDir: input.outDir, outFiles: input.outFiles, base: input.base ?? null, unshipped };
    diagnostics.push(...judgeOutput({ ...output, foreign, orphans, repair, features: folds.all, ready: folds.ready, deltaOf: folds.deltaOf }));
  });
  const planned = planMigrations({
    ready: folds.ready,
    lock,
    shipped: base ? base.lock.entries : null,
    rewriteLock: lock.legacy,
    outFiles: input.outFiles,
    now: input.now,
    deltaOf: folds.deltaOf,
    parser,
    blocked: hasErrors(diagnostics),
    clock,
  });
  diagnostics.push(...planned.diagnostics);
  settle(diagnostics, spec.acknowledgments);
  const failed = hasErrors(diagnostics);
  const remove = [...planned.remove, ...(repair ? orphans : []), ...(lock.legacy && planned.files.has(LOCK_FILE) ? [LEGACY_LOCK_FILE] : [])];
  return {
    diagnostics: diagnostics.sort(compareDiagnostics),
    spec,
    plan: planned.plan,
    files: failed ? new Map() : planned.files,
    foreign,
    remove: failed ? [] : remove,
    orphans,
    timings: clock.timings,
  };
}
