/**
 * The playbook round trip: the production migrations pamc emits for the
 * bundled spec must build, on a real PostgreSQL, every table, column, type,
 * default, constraint, RLS flag and policy (by name and command) that the
 * playbook's own SQL builds; applying them a second time must succeed and
 * change nothing.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openEmbedded, openServer, type Connection } from '../compiler/verify/db.js';
import { STANDIN_SQL } from '../compiler/verify/standin.js';
import { compileProject, ROOT } from './helpers/project.js';
import { testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const PLAYBOOK = readFileSync(join(ROOT, 'tests/fixtures/playbook/playbook.sql'), 'utf8');
const TABLES = ['pam_messages', 'pam_sessions', 'trips', 'pam_savings', 'safety_events'];

/** Every fact of the catalog the playbook speaks of, as sorted lines. */
const FACTS_SQL = `
SELECT 'table ' || c.relname || ' rls=' || c.relrowsecurity AS fact
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname = ANY ($1)
UNION ALL
SELECT 'column ' || c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
  || ' notnull=' || a.attnotnull || ' default=' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') || ' position=' || a.attnum
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE n.nspname = 'public' AND c.relname = ANY ($1)
UNION ALL
SELECT 'constraint ' || c.relname || '.' || con.conname || ' ' || pg_get_constraintdef(con.oid)
FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relname = ANY ($1)
UNION ALL
SELECT 'policy ' || tablename || ' "' || policyname || '" ' || cmd || ' ' || permissive
FROM pg_policies WHERE schemaname = 'public' AND tablename = ANY ($1)
ORDER BY 1`;

async function facts(db: Connection): Promise<string[]> {
  return (await db.query(FACTS_SQL, [TABLES])).rows.map((r) => String(r.fact));
}

/** Applies `sql` on a fresh stand-in inside a transaction that is rolled back, and returns the facts. */
async function factsAfter(db: Connection, scripts: string[]): Promise<string[]> {
  await db.exec('BEGIN');
  try {
    await db.exec(STANDIN_SQL);
    for (const sql of scripts) await db.exec(sql);
    return await facts(db);
  } finally {
    await db.exec('ROLLBACK');
  }
}

async function productionMigrations(): Promise<string[]> {
  const out = await compileProject(ROOT);
  expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const files = out.plan.filter((p) => p.environments.includes('production')).map((p) => p.file);
  expect(files).toHaveLength(5);
  return files.map((f) => readFileSync(join(ROOT, 'out', f), 'utf8'));
}

function roundTrip(open: () => Promise<Connection>) {
  return async () => {
    const db = await open();
    try {
      const migrations = await productionMigrations();
      const expected = await factsAfter(db, [PLAYBOOK]);
      expect(expected.length).toBeGreaterThan(40);
      const once = await factsAfter(db, migrations);
      expect(once).toEqual(expected);
      const twice = await factsAfter(db, [...migrations, ...migrations]);
      expect(twice).toEqual(expected);
    } finally {
      await db.close();
    }
  };
}

describe('playbook round trip', () => {
  it('on the embedded PostgreSQL (PGlite), applied once and twice', roundTrip(openEmbedded), 120_000);

  const url = testDatabaseUrl();
  if (!url) console.log('playbook round trip on a real server: skipped (set PAMC_TEST_DATABASE_URL to run it)');
  it.skipIf(!url)(
    'on the PostgreSQL server of PAMC_TEST_DATABASE_URL, in a scratch database',
    async () => {
      await withScratchDatabase(async (scratch) => roundTrip(() => openServer(scratch))());
    },
    120_000,
  );
});
