/**
 * Scratch databases on a real PostgreSQL server for tests.
 *
 * Tests that need a server run only when PAMC_TEST_DATABASE_URL names one
 * (a superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres); each
 * gets a database of its own, created for it and dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The server tests may use, or undefined when PAMC_TEST_DATABASE_URL is not set. */
export function testDatabaseUrl(): string | undefined {
  const url = process.env.PAMC_TEST_DATABASE_URL;
  return url === undefined || url === '' ? undefined : url;
}

/** Runs a query on `url` in a connection of its own. */
export async function queryOnce<T extends Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Creates a database `pamc_test_<random>` on the test server, runs `fn` with
 * its URL, and drops it afterwards, even when `fn` throws.
 */
export async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const admin = testDatabaseUrl();
  if (admin === undefined) throw new Error('PAMC_TEST_DATABASE_URL is not set');
  const name = `pamc_test_${randomBytes(6).toString('hex')}`;
  await queryOnce(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await queryOnce(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}
