/**
 * verify: proof on a real PostgreSQL.
 *
 * Input: VerifyInput (the spec, the environment, its migrations in version
 * order) and an open Connection. Output: VerifyReport: whether every
 * migration applied twice, the drift between catalog and spec, and the
 * judged probe matrix.
 *
 * Everything happens inside one transaction that is rolled back at the end,
 * so a real server is left as it was (CREATE ROLE is transactional too).
 * This module is the only one of verify that talks to the database; what to
 * expect, how to compare and what to probe are pure (./expected,
 * ./compare, ./probes).
 */
import { randomUUID } from 'node:crypto';
import { stopwatch } from '../report/timings.js';
import type { Environment, Spec } from '../model/types.js';
import { buildCatalog, CATALOG_QUERIES, RESOLVE_READ_SQL, resolveSql, type Catalog, type CatalogQuery, type CatalogRows, type Resolutions } from './catalog.js';
import { compareSchema, type Drift } from './compare.js';
import { asDbError, type Connection, type DbError } from './db.js';
import { displayName, existingTablesSql, expectedSchema, tableKeyOf, type ExpectedSchema, type MigrationFile } from './expected.js';
import { actorSql, judge, planProbes, probeResult, probedTables, usersSql, type Observation, type Probe, type ProbeResult } from './probes.js';
import { offsetOfPosition, positionOf, splitStatements, statementAt, statementHead, transactionControl, type StatementRange } from './split.js';
import { HAS_AUTH_SQL, STANDIN_SQL } from './standin.js';

/** VerifyInput is what verify proves: an environment's migrations against the spec. */
export interface VerifyInput {
  spec: Spec;
  environment: Environment;
  migrations: MigrationFile[];
}

/** VerifyOptions are the connection and the hooks. */
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
}

/** ApplyFailure is a migration PostgreSQL refused: where, which statement, and why. */
export interface ApplyFailure {
  file: string;
  /** 1: the first application; 2: the second (idempotency). */
  pass: 1 | 2;
  line: number;
  column: number;
  statement: string;
  code: string;
  message: string;
  detail: string | null;
  hint: string | null;
  where: string | null;
}

/** VerifyReport is everything verify found. `ok` is true when every migration applied, nothing drifted and every probe passed. */
export interface VerifyReport {
  ok: boolean;
  environment: Environment;
  target: { kind: Connection['kind']; version: string; standin: boolean };
  migrations: string[];
  failure: ApplyFailure | null;
  tables: string[];
  /** Tables whose spec waives row level security, with the reason: they get no probes. */
  waived: Array<{ table: string; reason: string }>;
  drift: Drift[];
  probes: ProbeResult[];
  summary: { tables: number; probes: number; failures: number; drift: number };
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

/** Runs verify on an open connection; the connection is left open, outside any transaction. */
export async function verify(input: VerifyInput, options: VerifyOptions): Promise<VerifyReport> {
  const db = options.connection;
  const progress = options.progress ?? ((): void => undefined);
  const uuid = options.uuid ?? randomUUID;
  const { timings, lap } = stopwatch();
  const expected = expectedSchema(input.spec, input.environment);
  const report: VerifyReport = {
    ok: false,
    environment: input.environment,
    target: { kind: db.kind, version: '', standin: false },
    migrations: input.migrations.map((m) => m.path),
    failure: null,
    tables: expected.tables.map((x) => tableKeyOf(x)),
    waived: expected.tables.flatMap((x) => (x.rls.kind === 'waived' ? [{ table: displayName(x.schema, x.name), reason: x.rls.reason }] : [])),
    drift: [],
    probes: [],
    summary: { tables: expected.tables.length, probes: 0, failures: 0, drift: 0 },
    timings,
  };

  for (const m of input.migrations) {
    const control = transactionControl(m.text);
    if (control) {
      report.failure = failureAt(m, 1, control, {
        code: '25000',
        message: 'the migration controls transactions itself; verify runs every migration inside one transaction that it rolls back',
        position: null,
        detail: null,
        hint: 'remove BEGIN/COMMIT from the file',
        where: null,
      });
      return finish(report);
    }
  }

  await db.exec('BEGIN');
  try {
    report.target.version = String((await db.query('SELECT pg_catalog.version() AS v')).rows[0]?.v ?? '').split(' on ')[0] ?? '';
    if (db.kind === 'server') await db.exec(`SET LOCAL lock_timeout = '10s'`);
    const hasAuth = (await db.query(HAS_AUTH_SQL)).rows[0]?.has_auth;
    if (hasAuth !== true && hasAuth !== 't') {
      await db.exec(STANDIN_SQL);
      report.target.standin = true;
    }
    if (db.kind === 'embedded') {
      const stubs = existingTablesSql(input.spec.phases.flatMap((p) => p.existing));
      if (stubs) await db.exec(stubs);
    }
    if (options.beforeApply) await db.exec(options.beforeApply);
    lap('setup');

    for (const pass of [1, 2] as const) {
      progress(`applying ${input.migrations.length} migration${input.migrations.length === 1 ? '' : 's'}${pass === 2 ? ' again (idempotency)' : ''}`);
      for (const m of input.migrations) {
        const failure = await apply(db, m, pass);
        if (failure) {
          report.failure = failure;
          lap('apply');
          return finish(report);
        }
      }
    }
    lap('apply');
    if (options.afterApply) await db.exec(options.afterApply);

    const keys = expected.tables.map((x) => tableKeyOf(x));
    const catalog = await readCatalog(db, keys);
    const resolved = await resolveSpec(db, expected);
    lap('catalog');
    report.drift = compareSchema(expected, catalog, resolved);
    lap('compare');

    progress(`probing ${probedTables(expected).length} tables`);
    const users = { a: uuid(), b: uuid() };
    const probes = planProbes(expected, catalog, users, uuid);
    report.probes = await runProbes(db, probes, users);
    lap('probes');
  } finally {
    await db.exec('ROLLBACK').catch(() => undefined);
  }
  return finish(report);
}

function finish(report: VerifyReport): VerifyReport {
  const failures = report.probes.filter((p) => !p.pass).length;
  report.summary = { tables: report.tables.length, probes: report.probes.length, failures, drift: report.drift.length };
  report.ok = report.failure === null && failures === 0 && report.drift.length === 0;
  return report;
}

/** Applies one migration under a savepoint; on failure finds the statement and position, and leaves the transaction usable. */
async function apply(db: Connection, m: MigrationFile, pass: 1 | 2): Promise<ApplyFailure | null> {
  await db.exec('SAVEPOINT pamc_migration');
  try {
    await db.exec(m.text);
    await db.exec('RELEASE SAVEPOINT pamc_migration');
    return null;
  } catch (error) {
    const err = asDbError(error);
    if (!err) throw error;
    await db.exec('ROLLBACK TO SAVEPOINT pamc_migration');
    const statements = splitStatements(m.text);
    if (err.position !== null) {
      const offset = offsetOfPosition(m.text, err.position);
      const s = statementAt(statements, offset);
      if (s) return failureAt(m, pass, s, err, offset);
    }
    // No position (an error inside a DO block, a missing object): replay statement by statement.
    for (const s of statements) {
      const piece = m.text.slice(s.start, s.end);
      try {
        await db.exec(piece);
      } catch (again) {
        const e = asDbError(again);
        if (!e) throw again;
        await db.exec('ROLLBACK TO SAVEPOINT pamc_migration');
        const offset = e.position !== null ? s.start + offsetOfPosition(piece, e.position) : s.code;
        return failureAt(m, pass, s, e, offset);
      }
    }
    await db.exec('ROLLBACK TO SAVEPOINT pamc_migration');
    return failureAt(m, pass, statements[0] ?? { start: 0, end: 0, code: 0 }, err);
  }
}

function failureAt(m: MigrationFile, pass: 1 | 2, s: StatementRange, err: DbError, offset: number = s.code): ApplyFailure {
  const at = positionOf(m.text, offset);
  return {
    file: m.path,
    pass,
    line: at.line,
    column: at.column,
    statement: statementHead(m.text, s),
    code: err.code,
    message: err.message,
    detail: err.detail,
    hint: err.hint,
    where: err.where,
  };
}

async function readCatalog(db: Connection, keys: string[]): Promise<Catalog> {
  const rows = {} as Record<CatalogQuery, Array<Record<string, unknown>>>;
  for (const [name, sql] of Object.entries(CATALOG_QUERIES) as Array<[CatalogQuery, string]>) {
    rows[name] = (await db.query(sql, sql.includes('$1') ? [keys] : [])).rows;
  }
  return buildCatalog(rows as CatalogRows);
}

/**
 * Lets the database spell the spec's types and defaults: the columns go into
 * one temporary table (under a savepoint, rolled back); when that fails, each
 * table is tried alone, then each column, and a column that still does not
 * fit is left to the pure spelling of ./compare.
 */
async function resolveSpec(db: Connection, expected: ExpectedSchema): Promise<Resolutions> {
  type Item = { key: string; type: string; default: string | null };
  const out: Resolutions = new Map();
  const attempt = async (items: readonly Item[]): Promise<boolean> => {
    if (items.length === 0) return true;
    await db.exec('SAVEPOINT pamc_resolve');
    try {
      await db.exec(resolveSql(items));
      const rows = (await db.query(RESOLVE_READ_SQL)).rows;
      for (const [i, item] of items.entries()) {
        const r = rows[i];
        if (r) out.set(item.key, { type: String(r.type), default: r.default === null || r.default === undefined ? null : String(r.default) });
      }
      return true;
    } catch (error) {
      if (!asDbError(error)) throw error;
      return false;
    } finally {
      await db.exec('ROLLBACK TO SAVEPOINT pamc_resolve');
      await db.exec('RELEASE SAVEPOINT pamc_resolve');
    }
  };
  const tables = expected.tables.map((t) => t.columns.map((c): Item => ({ key: `${tableKeyOf(t)}.${c.name}`, type: c.type, default: c.default })));
  if (await attempt(tables.flat())) return out;
  for (const items of tables) {
    if (await attempt(items)) continue;
    for (const item of items) await attempt([item]);
  }
  return out;
}

async function runProbes(db: Connection, probes: readonly Probe[], users: { a: string; b: string }): Promise<ProbeResult[]> {
  if (probes.length === 0) return [];
  let setupError: string | null = null;
  try {
    await db.exec('SAVEPOINT pamc_users');
    await db.exec(usersSql(users));
    await db.exec('RELEASE SAVEPOINT pamc_users');
  } catch (error) {
    const e = asDbError(error);
    if (!e) throw error;
    await db.exec('ROLLBACK TO SAVEPOINT pamc_users');
    setupError = `could not create the probe users in auth.users: ${e.message}`;
  }
  const out: ProbeResult[] = [];
  for (const probe of probes) {
    if (probe.blocked || setupError) {
      out.push(probeResult(probe, [], setupError));
      continue;
    }
    await db.exec('SAVEPOINT pamc_probe');
    try {
      let seedError: string | null = null;
      for (const sql of probe.seed) {
        try {
          await db.exec(sql);
        } catch (error) {
          const e = asDbError(error);
          if (!e) throw error;
          seedError = `could not insert a probe row: ${e.message}${e.detail ? ` (${e.detail})` : ''}`;
          break;
        }
      }
      if (seedError) {
        out.push(probeResult(probe, [], seedError));
        continue;
      }
      const judged: Array<ReturnType<typeof judge>> = [];
      for (const attempt of probe.attempts) {
        await db.exec('SAVEPOINT pamc_attempt');
        let seen: Observation;
        try {
          await db.exec(actorSql(probe.actor, users));
          const r = await db.query(attempt.sql);
          seen = { ok: true, count: attempt.measure === 'rows' ? Number(r.rows[0]?.n ?? 0) : r.affected };
        } catch (error) {
          const e = asDbError(error);
          if (!e) throw error;
          seen = { ok: false, code: e.code, message: e.message };
        }
        await db.exec('ROLLBACK TO SAVEPOINT pamc_attempt');
        await db.exec('RELEASE SAVEPOINT pamc_attempt');
        judged.push(judge(attempt, seen));
      }
      out.push(probeResult(probe, judged));
    } finally {
      await db.exec('ROLLBACK TO SAVEPOINT pamc_probe');
      await db.exec('RELEASE SAVEPOINT pamc_probe');
    }
  }
  return out;
}

export type { Drift } from './compare.js';
export type { ProbeResult } from './probes.js';
export type { MigrationFile } from './expected.js';
