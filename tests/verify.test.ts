/**
 * verify on the embedded PostgreSQL: the bundled spec is proven for both
 * environments, and drift made by hand (a dropped policy, a table that
 * already existed with other columns, an extra permissive policy, RLS
 * disabled) is caught and named. One PGlite serves the whole file: verify
 * runs every scenario inside a transaction it rolls back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEmbedded, type Connection } from '../compiler/verify/db.js';
import { verify, type VerifyInput, type VerifyReport } from '../compiler/verify/index.js';
import { renderVerifyText } from '../compiler/verify/render.js';
import type { Environment } from '../compiler/model/types.js';
import { verifyInputOf } from './helpers/project.js';

const LONG = 120_000;

function bundled(environment: Environment): Promise<VerifyInput> {
  return verifyInputOf(environment);
}

function driftLines(report: VerifyReport): string[] {
  return report.drift.map((d) => `${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`);
}

function failedProbes(report: VerifyReport): string[] {
  return report.probes.filter((p) => !p.pass).map((p) => `${p.table} ${p.actor} ${p.operation}`);
}

describe('verify on the embedded PostgreSQL', () => {
  let db: Connection;
  let production: VerifyInput;
  let staging: VerifyInput;

  beforeAll(async () => {
    [db, production, staging] = await Promise.all([openEmbedded(), bundled('production'), bundled('staging')]);
  }, LONG);
  afterAll(async () => {
    await db?.close();
  });

  it('proves the bundled spec for production', { timeout: LONG }, async () => {
    const report = await verify(production, { connection: db });
    expect(report.failure).toBeNull();
    expect(driftLines(report)).toEqual([]);
    expect(failedProbes(report)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ tables: 5, probes: 80, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } });
    expect(report.migrations.every((m) => /^out\/\d{14}_[a-z_]+\.sql$/.test(m))).toBe(true);
    expect(renderVerifyText(report)).toContain('verify: 5 tables, 80 probes, 0 failures, 0 drift, 0 exposures; scanned 0 views and 0 functions for exposure');
  });

  it('proves the bundled spec for staging, with the staging-only table', { timeout: LONG }, async () => {
    const report = await verify(staging, { connection: db });
    expect(report.ok).toBe(true);
    expect(report.summary).toEqual({ tables: 6, probes: 96, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } });
    expect(report.migrations.every((m) => m.startsWith('out/staging/'))).toBe(true);
    const testData = report.probes.filter((p) => p.table === 'pam_test_data' && p.actor === 'a');
    expect(testData.map((p) => p.outcome)).toEqual(['works', 'works', 'works', 'works']);
  });

  it('leaves the database as it found it', { timeout: LONG }, async () => {
    await verify(production, { connection: db, afterApply: 'CREATE TABLE public.leftover (id int)' });
    const tables = await db.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname IN ('public', 'auth')`);
    const roles = await db.query(`SELECT count(*)::int AS n FROM pg_catalog.pg_roles WHERE rolname IN ('anon', 'authenticated', 'service_role')`);
    expect(tables.rows[0]?.n).toBe(0);
    expect(roles.rows[0]?.n).toBe(0);
  });

  it('catches a policy dropped by hand', { timeout: LONG }, async () => {
    const report = await verify(production, { connection: db, afterApply: 'DROP POLICY "Users can read own savings" ON public.pam_savings;' });
    expect(report.ok).toBe(false);
    expect(driftLines(report)).toEqual(['pam_savings: policy "Users can read own savings" missing']);
    // Without a SELECT policy the owner's UPDATE ... WHERE finds no row either.
    expect(failedProbes(report)).toEqual(['pam_savings a select', 'pam_savings a update']);
    const probe = report.probes.find((p) => p.table === 'pam_savings' && p.actor === 'a' && p.operation === 'select')!;
    expect(probe.detail).toBe('user A reads its own row: expected it to work on exactly 1 row, it saw 0 rows');
  });

  it('reports, column by column, a table that existed before with other columns', { timeout: LONG }, async () => {
    const report = await verify(production, {
      connection: db,
      beforeApply: 'CREATE TABLE public.trips (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid, start date, title text);',
    });
    expect(report.failure).toBeNull();
    expect(report.ok).toBe(false);
    const trips = driftLines(report).filter((l) => l.startsWith('trips'));
    expect(trips).toEqual([
      'trips.start: type is date, spec says timestamptz',
      'trips.end: column missing',
      'trips.route: column missing',
      'trips.stops: column missing',
      'trips.created_at: column missing',
      'trips.title: column is not in the spec',
      'trips.user_id: foreign key to auth.users(id) missing',
    ]);
    expect(driftLines(report).every((l) => l.startsWith('trips'))).toBe(true);
    const text = renderVerifyText(report);
    expect(text).toContain('drift: trips.end: column missing');
    expect(text).toContain('drift: trips.start: type is date, spec says timestamptz');
  });

  it('fails on an extra permissive policy, and says which probe leaked', { timeout: LONG }, async () => {
    const report = await verify(production, {
      connection: db,
      afterApply: 'CREATE POLICY leak ON public.pam_savings FOR SELECT TO authenticated USING (true);',
    });
    expect(report.ok).toBe(false);
    expect(driftLines(report)).toEqual(['pam_savings: policy "leak" is not in the spec (FOR SELECT TO authenticated USING true)']);
    expect(failedProbes(report)).toEqual(['pam_savings b select']);
    const probe = report.probes.find((p) => p.table === 'pam_savings' && p.actor === 'b' && p.operation === 'select')!;
    expect(probe.outcome).toBe('works');
    expect(probe.detail).toBe("user B reads user A's row: expected nothing, it saw 1 row");
    expect(renderVerifyText(report)).toMatch(/^fail: pam_savings: user B select: user B reads user A's row/m);
  });

  it('fails when row level security is disabled by hand', { timeout: LONG }, async () => {
    const report = await verify(production, { connection: db, afterApply: 'ALTER TABLE public.trips DISABLE ROW LEVEL SECURITY;' });
    expect(report.ok).toBe(false);
    expect(driftLines(report)).toEqual(['trips: row level security is disabled, spec says enabled']);
    const failed = failedProbes(report);
    expect(failed).toContain('trips b select');
    expect(failed).toContain('trips b update');
    expect(failed).toContain('trips b delete');
    expect(failed).toContain('trips anon select');
    expect(failed).toContain('trips anon insert');
    expect(failed.every((f) => f.startsWith('trips '))).toBe(true);
  });

  it('catches grants revoked by hand', { timeout: LONG }, async () => {
    const report = await verify(production, { connection: db, afterApply: 'REVOKE INSERT ON public.safety_events FROM authenticated;' });
    expect(driftLines(report)).toEqual(['safety_events: authenticated lacks INSERT (allowed by the spec)']);
    expect(failedProbes(report)).toEqual(['safety_events a insert']);
  });

  it('names the file, line, column and statement of a migration PostgreSQL refuses', { timeout: LONG }, async () => {
    const migrations = production.migrations.map((m) => (m.path.endsWith('_trips.sql') ? { ...m, text: m.text.replace('route jsonb', 'route jsonbx') } : m));
    const report = await verify({ ...production, migrations }, { connection: db });
    expect(report.ok).toBe(false);
    expect(report.probes).toEqual([]);
    const f = report.failure!;
    expect(f.file).toMatch(/^out\/\d{14}_trips\.sql$/);
    expect(f.pass).toBe(1);
    expect(f.code).toBe('42704');
    expect(f.message).toBe('type "jsonbx" does not exist');
    const text = migrations.find((m) => m.path === f.file)!.text;
    const line = text.split('\n')[f.line - 1]!;
    expect(line.slice(f.column - 1)).toMatch(/^jsonbx/);
    expect(f.statement).toMatch(/^CREATE TABLE IF NOT EXISTS public\.trips \(/);
    expect(renderVerifyText(report)).toContain(`error: ${f.file}:${f.line}:${f.column}: type "jsonbx" does not exist (SQLSTATE 42704)`);
  });

  it('finds the statement of an error PostgreSQL reports without a position', { timeout: LONG }, async () => {
    const report = await verify(production, { connection: db, beforeApply: 'CREATE TABLE public.pam_sessions (id uuid PRIMARY KEY, owner uuid);' });
    const f = report.failure!;
    expect(f.file).toMatch(/_pam_sessions\.sql$/);
    expect(f.message).toBe('column "user_id" does not exist');
    expect(f.statement).toMatch(/^CREATE INDEX IF NOT EXISTS pam_sessions_user_id_idx/);
    const text = production.migrations.find((m) => m.path === f.file)!.text;
    expect(text.split('\n')[f.line - 1]).toMatch(/^CREATE INDEX IF NOT EXISTS pam_sessions_user_id_idx/);
  });

  it('fails a migration that cannot be applied twice', { timeout: LONG }, async () => {
    const migrations = production.migrations.map((m, i) => (i === 0 ? { ...m, text: `${m.text}\nCREATE TABLE public.not_idempotent (id int);\n` } : m));
    const report = await verify({ ...production, migrations }, { connection: db });
    const f = report.failure!;
    expect(f.pass).toBe(2);
    expect(f.code).toBe('42P07');
    expect(f.statement).toBe('CREATE TABLE public.not_idempotent (id int);');
    expect(renderVerifyText(report)).toContain('when applied a second time: the migration is not idempotent');
  });

  it('fails a migration the parser rejects as a whole, at the parser position, before applying anything', { timeout: LONG }, async () => {
    const migrations = production.migrations.map((m, i) => (i === 1 ? { ...m, text: `${m.text}\nCREATE TABLE public.broken (id int,);\n` } : m));
    const report = await verify({ ...production, migrations }, { connection: db });
    const f = report.failure!;
    expect(f.file).toBe(migrations[1]!.path);
    expect(f.code).toBe('42601');
    expect(f.message).toMatch(/^syntax error at or near "\)" \(PostgreSQL's parser rejects the file/);
    expect(f.statement).toBe('CREATE TABLE public.broken (id int,);');
    expect(migrations[1]!.text.split('\n')[f.line - 1]!.slice(f.column - 1)).toBe(');');
    expect(report.probes).toEqual([]);
  });

  it('refuses a migration that ends the transaction it runs in', { timeout: LONG }, async () => {
    const migrations = production.migrations.map((m, i) => (i === 0 ? { ...m, text: `BEGIN;\n${m.text}\nCOMMIT;\n` } : m));
    const report = await verify({ ...production, migrations }, { connection: db });
    expect(report.failure?.statement).toBe('BEGIN;');
    expect(report.failure?.line).toBe(1);
  });

  it('fails on table privileges of authenticated beyond what the spec and the default privileges give', { timeout: LONG }, async () => {
    const report = await verify(production, {
      connection: db,
      // A database whose default privileges no longer give anon and authenticated everything: a hand-made GRANT then stands out.
      beforeApply: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM anon, authenticated;',
      afterApply: 'GRANT UPDATE, TRUNCATE ON public.trips TO authenticated; GRANT SELECT ON public.trips TO anon;',
    });
    expect(report.drift).toEqual([]);
    expect(failedProbes(report)).toEqual([]);
    expect(report.exposures.map((e) => e.message)).toEqual([
      'authenticated holds UPDATE, TRUNCATE on trips, beyond what the spec implies (allow: select, insert; and what the default privileges give new tables)',
    ]);
    expect(report.ok).toBe(false);
    expect(renderVerifyText(report)).toContain('exposed: authenticated holds UPDATE, TRUNCATE on trips');
  });
});
