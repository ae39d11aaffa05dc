/**
 * Connections: the embedded PostgreSQL (PGlite) and a real server (pg),
 * behind one small interface. The drivers are loaded only when a connection
 * is opened, so other commands never pay for them.
 */
import { PGLITE_EXTENSIONS } from '../sql/extensions.js';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { baselineOnly } from '../wasm.js';

/** QueryResult is the rows of one statement and how many rows it changed. */
export interface QueryResult {
  rows: Array<Record<string, unknown>>;
  affected: number;
}

/** Connection is one database session. `exec` runs a text of any number of statements (simple query protocol). */
export interface Connection {
  /** embedded: a fresh PGlite; server: a real PostgreSQL reached with --database-url. */
  kind: 'embedded' | 'server';
  exec(sql: string): Promise<void>;
  query(sql: string, params?: unknown[]): Promise<QueryResult>;
  close(): Promise<void>;
  /**
   * Server only: runs a query on a second session to the same server, opened on first use and closed
   * with this one, while this session may be busy: to see what its statement waits for, or to cancel it.
   */
  aside?(sql: string, params?: unknown[]): Promise<QueryResult>;
}

/** The application_name of verify's session on a server (pg_stat_activity), and of its second session. */
export const APPLICATION_NAME = 'pamc verify';
export const ASIDE_APPLICATION_NAME = 'pamc verify (lock watch)';

/** ConnectionError is a failure to reach or start a database, reported with exit status 2. */
export class ConnectionError extends Error {}

/** DbError is the part of a PostgreSQL error verify reports. `position` is 1-based, in characters of the query text. */
export interface DbError {
  code: string;
  message: string;
  position: number | null;
  detail: string | null;
  hint: string | null;
  where: string | null;
}

/** The PostgreSQL error inside a driver's exception, or null when it is something else (a bug, a lost connection). */
export function asDbError(error: unknown): DbError | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as Record<string, unknown>;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.message !== 'string') return null;
  const position = e.position === undefined || e.position === null || e.position === '' ? null : Number(e.position);
  const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return {
    code: e.code,
    message: e.message,
    position: Number.isFinite(position) ? position : null,
    detail: text(e.detail),
    hint: text(e.hint),
    where: text(e.where),
  };
}

type PGlite = import('@electric-sql/pglite').PGlite;

/** The extensions of `names` PGlite cannot load (it ships the modules of ../sql/extensions PGLITE_EXTENSIONS). */
export function unavailableExtensions(names: readonly string[]): string[] {
  return names.filter((n) => !(n in PGLITE_EXTENSIONS));
}

/** The PGlite extension modules for `names` (each one PGlite ships; see unavailableExtensions). */
async function extensionModules(names: readonly string[]): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const module = PGLITE_EXTENSIONS[name];
    if (!module) continue;
    const loaded = (await import(`@electric-sql/pglite/contrib/${module}`)) as Record<string, unknown>;
    out[module] = loaded[module];
  }
  return out;
}

/** Starts a fresh embedded PostgreSQL in memory, with the extensions the spec creates. */
export async function openEmbedded(extensions: readonly string[] = []): Promise<Connection> {
  let db: PGlite;
  try {
    db = await startPglite(await extensionModules(extensions));
  } catch (error) {
    throw new ConnectionError(`cannot start the embedded PostgreSQL (PGlite): ${(error as Error).message}`);
  }
  return {
    kind: 'embedded',
    async exec(sql) {
      await db.exec(sql);
    },
    async query(sql, params = []) {
      const r = await db.query<Record<string, unknown>>(sql, params);
      return { rows: r.rows, affected: r.affectedRows ?? 0 };
    },
    async close() {
      await db.close();
    },
  };
}

/**
 * A fresh cluster. Most of PGlite's start is initdb, and what initdb leaves
 * is the same on every start of one PGlite version: the first start saves
 * the data directory, before anything runs in it, and later starts load it
 * instead of running initdb (docs/performance.md). The saved directory is
 * named by PGlite's version, so another version never reads it; one that
 * cannot be loaded is removed and the cluster made afresh. WebAssembly is
 * compiled with the baseline compiler only (../wasm.ts).
 */
async function startPglite(extensions: Record<string, unknown>): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  const cache = dataDirCache();
  if (cache && existsSync(cache)) {
    try {
      const saved = new Blob([readFileSync(cache)]);
      return await baselineOnly(async () => {
        const db = new PGlite({ loadDataDir: saved, extensions: extensions as never });
        await db.waitReady;
        return db;
      });
    } catch {
      rmSync(cache, { force: true });
    }
  }
  const db = await baselineOnly(async () => {
    const fresh = new PGlite({ extensions: extensions as never });
    await fresh.waitReady;
    return fresh;
  });
  if (cache) {
    try {
      const tar = Buffer.from(await (await db.dumpDataDir('none')).arrayBuffer());
      mkdirSync(dirname(cache), { recursive: true });
      const tmp = `${cache}.${process.pid}.${randomUUID()}.tmp`;
      writeFileSync(tmp, tar);
      renameSync(tmp, cache);
    } catch {
      // A cache that cannot be written (a read-only node_modules) only means the next start runs initdb too.
    }
  }
  return db;
}

/**
 * Where the data directory of a fresh cluster is kept: node_modules/.cache/pamc/, beside the PGlite
 * package, named by its version. PAMC_PGLITE_CACHE=0 turns the cache off (every start runs initdb).
 */
function dataDirCache(): string | null {
  if (process.env.PAMC_PGLITE_CACHE === '0') return null;
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const marker = `${sep}node_modules${sep}@electric-sql${sep}pglite${sep}`;
    const at = entry.lastIndexOf(marker);
    if (at === -1) return null;
    const modules = entry.slice(0, at + `${sep}node_modules`.length);
    const { version } = JSON.parse(readFileSync(join(modules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version: string };
    if (!/^[0-9A-Za-z.+-]+$/.test(version)) return null;
    return join(modules, '.cache', 'pamc', `pglite-${version}-datadir.tar`);
  } catch {
    return null;
  }
}

/** The URL with its password hidden, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** Checks that a --database-url is a postgres:// URL; returns the problem, or null. */
export function databaseUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--database-url: \`${redactUrl(url)}\` is not a URL; write postgres://user:password@host:port/database`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `--database-url: \`${redactUrl(url)}\` is not a postgres:// URL`;
  return null;
}

type PgClient = import('pg').Client;

async function connectClient(url: string, applicationName: string): Promise<{ client: PgClient; lost: () => Error | null }> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, application_name: applicationName, connectionTimeoutMillis: 15_000 });
  let lost: Error | null = null;
  client.on('error', (error: Error) => {
    lost = error;
  });
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ConnectionError(`cannot connect to ${redactUrl(url)}: ${(error as Error).message || String(error)}`);
  }
  return { client, lost: () => lost };
}

async function run(client: PgClient, sql: string, params: unknown[] = []): Promise<QueryResult> {
  const r = await client.query(sql, params);
  return { rows: r.rows as Array<Record<string, unknown>>, affected: r.rowCount ?? 0 };
}

/** Connects to a real PostgreSQL server, as application `pamc verify`. */
export async function openServer(url: string): Promise<Connection> {
  const problem = databaseUrlProblem(url);
  if (problem) throw new ConnectionError(problem);
  const { client, lost } = await connectClient(url, APPLICATION_NAME);
  const alive = (): void => {
    const error = lost();
    if (error) throw new ConnectionError(`lost the connection to ${redactUrl(url)}: ${error.message}`);
  };
  let side: Promise<PgClient> | null = null;
  return {
    kind: 'server',
    async exec(sql) {
      alive();
      await client.query(sql);
    },
    async query(sql, params = []) {
      alive();
      return run(client, sql, params);
    },
    async aside(sql, params = []) {
      side ??= connectClient(url, ASIDE_APPLICATION_NAME).then((c) => c.client);
      return run(await side, sql, params);
    },
    async close() {
      const other = side;
      side = null;
      await Promise.all([client.end().catch(() => undefined), other?.then((c) => c.end()).catch(() => undefined)]);
    },
  };
}
