/**
 * `pamc pull`: reads the tables of one schema of an existing database and
 * writes a phase file that declares them `existing:` (../pull), so a team
 * that adopts pamc can build on what it has. What the file cannot declare
 * is listed in it and on stderr. The database is read in one read-only
 * transaction; nothing is written to it. Exit 0: written; 2: usage, I/O or
 * connection failure (an existing file without --force included).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { loadParser } from '../sql/parser.js';
import { CATALOG_QUERIES, catalogFromRows, type Catalog } from '../pull/catalog.js';
import { catalogToPhase } from '../pull/index.js';
import { fail, type Context } from './context.js';
import { databaseUrlProblem, hidePassword, noDatabaseUrl, resolveDatabaseUrl, withoutPassword } from './database-url.js';
import { IoError } from './io.js';
import { settings } from './project.js';
import { schemaReference } from './schema-ref.js';

/** PullOptions are the options of `pamc pull`. */
interface PullOptions {
  databaseUrl?: string;
  schemaName: string;
  outFile?: string;
  force?: boolean;
}

/** ConnectionFailure is a database that could not be reached or read; its message has no password. */
class ConnectionFailure extends Error {}

/** Reads the catalog of `schema` in one read-only transaction. */
async function readCatalog(url: string, schema: string, progress: (message: string) => void): Promise<Catalog> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url, application_name: 'pamc pull', connectionTimeoutMillis: 15_000 });
  client.on('error', () => undefined);
  try {
    progress(`connecting to ${hidePassword(url)}`);
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new ConnectionFailure(`cannot connect to ${hidePassword(url)}: ${withoutPassword((error as Error).message || String(error), url)}`);
  }
  try {
    progress(`reading the tables of schema ${schema}`);
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const rows = {} as Parameters<typeof catalogFromRows>[1];
    for (const [key, sql] of Object.entries(CATALOG_QUERIES) as Array<[keyof typeof CATALOG_QUERIES, string]>) {
      rows[key] = (await client.query(sql, [schema])).rows as Array<Record<string, unknown>>;
    }
    await client.query('COMMIT');
    return catalogFromRows(schema, rows);
  } catch (error) {
    throw new ConnectionFailure(`reading the catalog of ${hidePassword(url)} failed: ${withoutPassword((error as Error).message || String(error), url)}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The database as the file's header names it: its name and host, never its user or password. */
function sourceName(url: string): string {
  try {
    const u = new URL(url);
    const database = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'postgres';
    return `database ${database}${u.hostname ? ` on ${u.hostname}${u.port ? `:${u.port}` : ''}` : ''}`;
  } catch {
    return 'the database';
  }
}

export async function pullCommand(opts: PullOptions, ctx: Context): Promise<number> {
  const resolved = resolveDatabaseUrl(opts.databaseUrl, ctx.env);
  if (!resolved) return fail(ctx, noDatabaseUrl('pamc pull'));
  const problem = databaseUrlProblem(resolved);
  if (problem) return fail(ctx, problem);
  const outFile = opts.outFile ?? `${settings(ctx.cwd, {}).schema}/phase-0-existing.yaml`;
  const target = resolve(ctx.cwd, outFile);
  if (existsSync(target) && !opts.force) return fail(ctx, `${outFile} exists; pass --force to overwrite it, or --out-file to write another file`);
  const progress = ctx.stderr.isTTY ? (message: string): void => ctx.stderr.write(`pamc pull: ${message}…\n`) : (): void => undefined;
  let catalog: Catalog;
  try {
    catalog = await readCatalog(resolved.url, opts.schemaName, progress);
  } catch (error) {
    if (error instanceof ConnectionFailure) return fail(ctx, error.message);
    throw error;
  }
  progress('checking types and expressions with the PostgreSQL parser');
  const parser = await loadParser();
  const result = catalogToPhase({ catalog, parser, phase: 0, schemaRef: schemaReference(ctx.cwd, dirname(outFile)), source: sourceName(resolved.url) });
  try {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, result.text);
  } catch (error) {
    throw new IoError(`cannot write ${outFile}: ${(error as Error).message}`);
  }
  ctx.stdout.write(`wrote ${outFile} (${result.tables} table${result.tables === 1 ? '' : 's'} of schema ${opts.schemaName}, declared existing:)\n`);
  if (result.omitted.length) {
    ctx.stderr.write(
      `pamc pull: ${result.omitted.length} thing${result.omitted.length === 1 ? ' is' : 's are'} not declared (also listed at the top of the file):\n`,
    );
    ctx.stderr.write(result.omitted.map((o) => `  - ${o.table === null ? '' : `${o.table}: `}${o.what}\n`).join(''));
  }
  return 0;
}
