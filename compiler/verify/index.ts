/**
 * verify: proof on a real PostgreSQL.
 *
 * Input: VerifyInput (the spec, the environment, its migrations in version
 * order, hand-written ones included) and an open Connection. Output:
 * VerifyReport: whether every migration applied (pamc's twice), the drift
 * between catalog and spec, the exposure of spec tables through views,
 * functions and grants, and the judged probe matrix; or, when verify could
 * not finish (a lock it could not take, a timeout, an interrupt), why.
 *
 * Everything happens inside one transaction that is rolled back at the end,
 * so a real server is left as it was (CREATE ROLE is transactional too).
 * The modules that talk to the database are this one, ./session (the
 * transaction, savepoints, lock retries), ./apply and ./inspect, all through
 * ./db; what to expect, how to compare, what is exposed and what to probe
 * are pure (./expected, ./compare, ./exposure, ./probes, ./locks, ./split).
 */
import { randomUUID } from 'node:crypto';
import { stopwatch } from '../report/timings.js';
import type { Environment, Spec } from '../model/types.js';
import { loadParser, type SqlParser } from '../sql/parser.js';
import { expressionTree } from '../sql/fragments.js';
import { applyMigrations, lockUpFront, problemFailure, type ApplyFailure } from './apply.js';
import { compareSchema, type Drift } from './compare.js';
import type { Connection } from './db.js';
import { displayName, existingTablesSql, expectedSchema, tableKeyOf, type ExpectedSchema, type MigrationFile } from './expected.js';
import { grantExcess, type Exposure } from './exposure.js';
import { readCatalog, readObjects, resolveSpec, runProbes, scanExposure } from './inspect.js';
import { compareObjects } from './objects.js';
import { DEFAULT_LOCK_POLICY, DEFAULT_STATEMENT_TIMEOUT_MS, type LockMode } from './locks.js';
import { stubTables, tablesCreatedByHand } from './migrations.js';
import { planProbes, probedRuleKinds, probedTables, type ProbeResult } from './probes.js';
import type { RuleKindName } from './scenario.js';
import { Session, Unverifiable, type VerifyAbort } from './session.js';
import { splitMigration, type SplitMigration } from './split.js';
import { HAS_AUTH_SQL, SEARCH_PATH_SQL, STANDIN_SQL } from './standin.js';

/** VerifyInput is what verify proves: an environment's migrations (pamc's and hand-written, in version order) against the spec. */
export interface VerifyInput {
  spec: Spec;
  environment: Environment;
  migrations: MigrationFile[];
  /** Hand-written files of the output directory that are not applied (names Supabase does not pick up), for the report. */
  skipped?: string[];
}

/** VerifyOptions are the connection, the limits on a live server, and the hooks. */
export interface VerifyOptions {
  connection: Connection;
  /** SQL run after the stand-in, before the first migration (to simulate a database that already has tables). */
  beforeApply?: string;
  /** SQL run after the migrations, before the catalog is read (to simulate changes made by hand). */
  afterApply?: string;
  /** Called before each slow step, with a line for people. */
  progress?: (message: string) => void;
  /** Makes user ids and probe values; a random UUID by default. */
  uuid?: () => string;
  /** The PostgreSQL parser that splits migrations into statements; loaded when not given. */
  parser?: SqlParser;
  /** Server: how long one statement waits for a lock (lock_timeout), in ms; 1000 by default. */
  lockTimeoutMs?: number;
  /** Server: how often a statement that could not take a lock is tried again; 3 by default. */
  lockRetries?: number;
  /** Server: the wait before the first retry, in ms, doubling for each next one; 100 by default. */
  lockBackoffMs?: number;
  /** Server: the statement_timeout of every statement verify runs, in ms; 60000 by default. */
  statementTimeoutMs?: number;
  /** Ends the run (rolled back; the running statement is cancelled on a server); the report then says `interrupted`. */
  signal?: AbortSignal;
}

/** VerifyReport is everything verify found. `ok` is true when every migration applied, nothing drifted, nothing is exposed and every probe passed. */
export interface VerifyReport {
  ok: boolean;
  environment: Environment;
  /** The database; `url` (password hidden) and `from` (the flag or variable that named it) are filled in by the command line. */
  target: { kind: Connection['kind']; version: string; standin: boolean; url?: string; from?: string };
  /** Every file applied, in order. */
  migrations: string[];
  /** The hand-written files among them (applied once). */
  handWritten: string[];
  /** Hand-written files not applied: names Supabase does not pick up. */
  skipped: string[];
  failure: ApplyFailure | null;
  /** Why verify stopped without a verdict (exit status 2); null when it finished. */
  aborted: VerifyAbort | null;
  tables: string[];
  /** Tables whose spec waives row level security, with the reason. */
  waived: Array<{ table: string; reason: string }>;
  /** Server: the table locks taken up front, before the first migration. */
  locks: Array<{ relation: string; mode: LockMode }>;
  drift: Drift[];
  exposures: Exposure[];
  probes: ProbeResult[];
  /** The rule kinds the probes tried (tables per kind), and the tables not probed because their rules are written as policies. */
  probed: { kinds: Partial<Record<RuleKindName, number>>; unprobed: string[] };
  summary: { tables: number; probes: number; failures: number; drift: number; exposures: number; scanned: { views: number; functions: number } };
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

type Lap = (step: string) => void;

/** Runs verify on an open connection; the connection is left open, outside any transaction. */
export async function verify(input: VerifyInput, options: VerifyOptions): Promise<VerifyReport> {
  const { timings, lap } = stopwatch();
  const expected = expectedSchema(input.spec, input.environment);
  const report = newReport(input, expected, options.connection.kind, timings);
  const split = splitAll(options.parser ?? (await loadParser()), input.migrations);
  if (!Array.isArray(split)) {
    report.failure = split;
    return finish(report);
  }
  const session = new Session(options.connection, {
    lock: {
      timeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_POLICY.timeoutMs,
      retries: options.lockRetries ?? DEFAULT_LOCK_POLICY.retries,
      backoffMs: options.lockBackoffMs ?? DEFAULT_LOCK_POLICY.backoffMs,
    },
    statementTimeoutMs: options.statementTimeoutMs ?? DEFAULT_STATEMENT_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  try {
    await session.begin();
    await setup(session, input, split, options, report);
    lap('setup');
    report.failure = await applyMigrations(session, split, options.progress ?? ((): void => undefined));
    lap('apply');
    if (!report.failure) await judge(session, expected, options, report, lap);
  } catch (error) {
    if (!(error instanceof Unverifiable)) throw error;
    report.aborted = error.abort;
  } finally {
    await session.end();
  }
  return finish(report);
}

function newReport(input: VerifyInput, expected: ExpectedSchema, kind: Connection['kind'], timings: Record<string, number>): VerifyReport {
  return {
    ok: false,
    environment: input.environment,
    target: { kind, version: '', standin: false },
    migrations: input.migrations.map((m) => m.path),
    handWritten: input.migrations.filter((m) => m.handWritten).map((m) => m.path),
    skipped: input.skipped ?? [],
    failure: null,
    aborted: null,
    tables: expected.tables.map((x) => tableKeyOf(x)),
    waived: expected.tables.flatMap((x) => (x.rls.kind === 'waived' ? [{ table: displayName(x.schema, x.name), reason: x.rls.reason }] : [])),
    locks: [],
    drift: [],
    exposures: [],
    probes: [],
    probed: { kinds: {}, unprobed: [] },
    summary: { tables: expected.tables.length, probes: 0, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } },
    timings,
  };
}

/** Splits every migration into statements; the first file that cannot be split is the run's failure. */
function splitAll(parser: SqlParser, files: readonly MigrationFile[]): SplitMigration[] | ApplyFailure {
  const out: SplitMigration[] = [];
  for (const f of files) {
    const split = splitMigration(parser, f);
    if (!split.ok) return problemFailure(split.problem);
    out.push(split.migration);
  }
  return out;
}

/** The database's version; the stand-in where auth is missing; on the embedded database the `existing:` tables; the test hook; on a server the locks up front. */
async function setup(session: Session, input: VerifyInput, migrations: readonly SplitMigration[], options: VerifyOptions, report: VerifyReport): Promise<void> {
  session.doing = 'setting up';
  report.target.version = String((await session.query('SELECT pg_catalog.version() AS v')).rows[0]?.v ?? '').split(' on ')[0] ?? '';
  const hasAuth = (await session.query(HAS_AUTH_SQL)).rows[0]?.has_auth;
  if (hasAuth !== true && hasAuth !== 't') {
    await session.exec(STANDIN_SQL);
    report.target.standin = true;
  }
  await session.exec(SEARCH_PATH_SQL);
  if (session.db.kind === 'embedded') {
    const stubs = existingTablesSql(
      stubTables(
        input.spec.phases.flatMap((p) => p.existing),
        tablesCreatedByHand(migrations),
      ),
    );
    if (stubs) await session.exec(stubs);
  }
  if (options.beforeApply) await session.exec(options.beforeApply);
  if (session.db.kind === 'server') {
    options.progress?.('taking the locks the migrations need');
    report.locks = (await lockUpFront(session, migrations)).map((l) => ({ relation: l.relation, mode: l.mode }));
  }
}

/** Compares the catalog with the spec, scans for exposure, and probes. */
async function judge(session: Session, expected: ExpectedSchema, options: VerifyOptions, report: VerifyReport, lap: Lap): Promise<void> {
  const progress = options.progress ?? ((): void => undefined);
  if (options.afterApply) await session.exec(options.afterApply);
  progress('comparing the catalog with the spec');
  const catalog = await readCatalog(session, expected.tables.map(tableKeyOf));
  const resolved = await resolveSpec(session, expected);
  lap('catalog');
  const keys = expected.tables.map(tableKeyOf);
  report.drift = [...compareSchema(expected, catalog, resolved), ...compareObjects(expected.objects, await readObjects(session, keys), keys)];
  lap('compare');
  progress('scanning views and functions for exposure');
  const scan = await scanExposure(session, expected);
  report.exposures = [...scan.exposures, ...grantExcess(expected, catalog)];
  report.summary.scanned = { views: scan.views, functions: scan.functions };
  lap('exposure');
  progress(`probing ${probedTables(expected).length} tables`);
  const uuid = options.uuid ?? randomUUID;
  const users = { a: uuid(), b: uuid(), c: uuid(), d: uuid() };
  const parser = options.parser ?? (await loadParser());
  const parse = (expression: string) => expressionTree(parser, expression);
  report.probes = await runProbes(session, planProbes(expected, catalog, users, uuid, parse), users);
  report.probed = probedRuleKinds(expected);
  lap('probes');
}

function finish(report: VerifyReport): VerifyReport {
  const failures = report.probes.filter((p) => !p.pass).length;
  report.summary = {
    ...report.summary,
    tables: report.tables.length,
    probes: report.probes.length,
    failures,
    drift: report.drift.length,
    exposures: report.exposures.length,
  };
  report.ok = report.failure === null && report.aborted === null && failures === 0 && report.drift.length === 0 && report.exposures.length === 0;
  return report;
}

export type { ApplyFailure } from './apply.js';
export type { Drift } from './compare.js';
export type { Exposure } from './exposure.js';
export type { Blocker } from './locks.js';
export type { ProbeResult } from './probes.js';
export type { MigrationFile } from './expected.js';
export type { AbortReason, VerifyAbort } from './session.js';
