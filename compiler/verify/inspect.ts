/**
 * What verify reads and tries once the migrations are applied: the catalog,
 * the database's own spelling of the spec's types, the exposure scan, and
 * the probes. Each runs its statements through the Session (./session) and
 * hands the rows to the pure modules that judge them (./catalog,
 * ./exposure, ./probes).
 */
import { OBJECT_QUERIES } from './objects.js';
import { buildCatalog, CATALOG_QUERIES, RESOLVE_READ_SQL, resolveSql, type Catalog, type CatalogRows, type Resolutions } from './catalog.js';
import { asDbError, type DbError } from './db.js';
import { tableKeyOf, type ExpectedSchema } from './expected.js';
import { EXPOSURE_QUERIES, judgeExposure, type ExposureRows, type ExposureScan } from './exposure.js';
import { actorSql, judge, probeResult, usersSql, type Attempt, type Observation, type Probe, type ProbeResult, type ProbeUsers } from './probes.js';
import type { Session } from './session.js';

type Rows = Array<Record<string, unknown>>;

async function runQueries<K extends string>(session: Session, queries: Record<K, string>, keys: string[]): Promise<Record<K, Rows>> {
  const rows = {} as Record<K, Rows>;
  for (const [name, sql] of Object.entries(queries) as Array<[K, string]>) rows[name] = (await session.query(sql, sql.includes('$1') ? [keys] : [])).rows;
  return rows;
}

/** Reads the objects beside tables (./objects) for the tables `keys`. */
export async function readObjects(session: Session, keys: string[]): Promise<Record<keyof typeof OBJECT_QUERIES, Rows>> {
  return runQueries(session, OBJECT_QUERIES, keys);
}

/** Reads the catalog of the tables `keys` ("schema.table"). */
export async function readCatalog(session: Session, keys: string[]): Promise<Catalog> {
  session.doing = 'reading the catalog';
  return buildCatalog((await runQueries(session, CATALOG_QUERIES, keys)) as CatalogRows);
}

/** Looks for views and functions through which anon or authenticated reach the spec's tables (./exposure). */
export async function scanExposure(session: Session, expected: ExpectedSchema): Promise<ExposureScan> {
  session.doing = 'scanning views and functions for exposure';
  const rows = await runQueries(session, EXPOSURE_QUERIES, expected.tables.map(tableKeyOf));
  return judgeExposure(rows as ExposureRows, expected);
}

/**
 * Lets the database spell the spec's types and defaults: the columns go into
 * one temporary table (under a savepoint, rolled back); when that fails, each
 * table is tried alone, then each column, and a column that still does not
 * fit is left to the pure spelling of ./compare.
 */
export async function resolveSpec(session: Session, expected: ExpectedSchema): Promise<Resolutions> {
  type Item = { key: string; type: string; default: string | null };
  session.doing = "spelling the spec's types";
  const out: Resolutions = new Map();
  const attempt = async (items: readonly Item[]): Promise<boolean> => {
    if (items.length === 0) return true;
    await session.exec('SAVEPOINT pamc_resolve');
    try {
      await session.exec(resolveSql(items));
      const rows = (await session.query(RESOLVE_READ_SQL)).rows;
      for (const [i, item] of items.entries()) {
        const r = rows[i];
        if (r) out.set(item.key, { type: String(r.type), default: r.default === null || r.default === undefined ? null : String(r.default) });
      }
      return true;
    } catch (error) {
      if (!asDbError(error)) throw error;
      return false;
    } finally {
      await session.exec('ROLLBACK TO SAVEPOINT pamc_resolve; RELEASE SAVEPOINT pamc_resolve');
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

/** Runs every probe, each inside a savepoint that is rolled back, after inserting the two probe users. */
export async function runProbes(session: Session, probes: readonly Probe[], users: ProbeUsers): Promise<ProbeResult[]> {
  if (probes.length === 0) return [];
  session.doing = 'probing the access rules';
  const setupError = await createUsers(session, users);
  const out: ProbeResult[] = [];
  for (const probe of probes) {
    if (probe.blocked || setupError) out.push(probeResult(probe, [], setupError));
    else out.push(await runProbe(session, probe, users));
  }
  return out;
}

/**
 * Creates the probe users. Triggers on auth.users (a signup trigger that makes
 * a profile row) would make rows the probes seed themselves, so the users are
 * made with triggers off where the session may turn them off.
 */
async function createUsers(session: Session, users: ProbeUsers): Promise<string | null> {
  const quiet = (await inSavepoint(session, 'pamc_quiet', () => session.exec('SET LOCAL session_replication_role = replica'))) === null;
  const failed = await inSavepoint(session, 'pamc_users', () => session.exec(usersSql(users)));
  if (quiet) await session.exec('SET LOCAL session_replication_role = origin');
  return failed ? `could not create the probe users in auth.users: ${failed.message}` : null;
}

/** Runs `run` under a savepoint: kept when it works; rolled back, and the database's error returned, when it fails. */
async function inSavepoint(session: Session, name: string, run: () => Promise<unknown>): Promise<DbError | null> {
  await session.exec(`SAVEPOINT ${name}`);
  try {
    await run();
    await session.exec(`RELEASE SAVEPOINT ${name}`);
    return null;
  } catch (error) {
    const e = asDbError(error);
    if (!e) throw error;
    await session.exec(`ROLLBACK TO SAVEPOINT ${name}; RELEASE SAVEPOINT ${name}`);
    return e;
  }
}

async function runProbe(session: Session, probe: Probe, users: ProbeUsers): Promise<ProbeResult> {
  session.doing = `probing ${probe.table} as ${probe.actor} (${probe.operation})`;
  await session.exec('SAVEPOINT pamc_probe');
  try {
    const seedError = await seed(session, probe);
    if (seedError) return probeResult(probe, [], seedError);
    const judged: Array<ReturnType<typeof judge>> = [];
    for (const attempt of probe.attempts) judged.push(judge(attempt, await observe(session, probe, attempt, users)));
    return probeResult(probe, judged);
  } finally {
    await session.exec('ROLLBACK TO SAVEPOINT pamc_probe; RELEASE SAVEPOINT pamc_probe');
  }
}

const CHECK_VIOLATION = '23514';

/** Inserts the probe's rows as the session user; the reason when one is refused. */
async function seed(session: Session, probe: Probe): Promise<string | null> {
  for (const sql of probe.seed) {
    try {
      await session.exec(sql);
    } catch (error) {
      const e = asDbError(error);
      if (!e) throw error;
      const help =
        e.code === CHECK_VIOLATION
          ? '; give the column a default that passes its check (verify then uses it), or write the check as comparisons of the column with constants, BETWEEN, IN or length()'
          : '';
      return `could not insert a probe row: ${e.message}${e.detail ? ` (${e.detail})` : ''}${help}`;
    }
  }
  return null;
}

/** Runs one attempt as the probe's actor, under a savepoint, and says what it saw. */
async function observe(session: Session, probe: Probe, attempt: Attempt, users: ProbeUsers): Promise<Observation> {
  try {
    // The savepoint is made before the actor is taken on, in the same round trip; both are rolled back below.
    await session.exec(`SAVEPOINT pamc_attempt; ${actorSql(probe.actor, users)}`);
    const r = await session.query(attempt.sql);
    return { ok: true, count: attempt.measure === 'rows' ? Number(r.rows[0]?.n ?? 0) : r.affected };
  } catch (error) {
    const e = asDbError(error);
    if (!e) throw error;
    return { ok: false, code: e.code, message: e.message };
  } finally {
    await session.exec('ROLLBACK TO SAVEPOINT pamc_attempt; RELEASE SAVEPOINT pamc_attempt');
  }
}
