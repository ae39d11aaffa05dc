/**
 * verify --database-url against a real PostgreSQL server, in a scratch
 * database: the same proofs as on the embedded database, and the server is
 * left exactly as it was (no roles, no tables, no schemas).
 *
 * Runs only when PAMC_TEST_DATABASE_URL names a server (a superuser URL).
 */
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { openServer } from '../compiler/verify/db.js';
import { verify, type VerifyInput, type VerifyReport } from '../compiler/verify/index.js';
import { renderVerifyText } from '../compiler/verify/render.js';
import type { Environment } from '../compiler/model/types.js';
import { verifyInputOf } from './helpers/project.js';
import { queryOnce, testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const url = testDatabaseUrl();
if (!url) console.info('verify-server tests skipped: set PAMC_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run them');

const LONG = 120_000;

function bundled(environment: Environment): Promise<VerifyInput> {
  return verifyInputOf(environment);
}

/** What verify could leave behind: cluster roles, and the scratch database's schemas, tables and policies. */
async function footprint(db: string): Promise<Record<string, unknown>> {
  const roles = await queryOnce(db, 'SELECT rolname FROM pg_catalog.pg_roles ORDER BY 1');
  const relations = await queryOnce(
    db,
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') ORDER BY 1`,
  );
  const schemas = await queryOnce(
    db,
    `SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname NOT LIKE 'pg\\_temp\\_%' AND nspname NOT LIKE 'pg\\_toast\\_temp\\_%' ORDER BY 1`,
  );
  const policies = await queryOnce(db, 'SELECT count(*)::int AS n FROM pg_catalog.pg_policy');
  const defaults = await queryOnce(db, 'SELECT count(*)::int AS n FROM pg_catalog.pg_default_acl');
  return { roles, relations, schemas, policies, defaults };
}

/**
 * The API roles are the cluster's, not the scratch database's: tests/verify-live.test.ts commits them for a
 * while. Footprints compare roles, so they are taken under a shared advisory lock that file holds exclusively.
 */
const ROLES_LOCK = 0x70616d63;
async function underRolesLock<T>(fn: () => Promise<T>): Promise<T> {
  const guard = new pg.Client({ connectionString: url });
  await guard.connect();
  try {
    await guard.query('SELECT pg_advisory_lock_shared($1)', [ROLES_LOCK]);
    return await fn();
  } finally {
    await guard.end();
  }
}

function failedProbes(report: VerifyReport): string[] {
  return report.probes.filter((p) => !p.pass).map((p) => `${p.table} ${p.actor} ${p.operation}`);
}

describe.skipIf(!url)('verify --database-url on a real server', () => {
  it('proves the bundled spec for both environments and leaves the server as it found it', { timeout: LONG }, async () => {
    await underRolesLock(() =>
      withScratchDatabase(async (db) => {
        const before = await footprint(db);
        const connection = await openServer(db);
        try {
          for (const environment of ['production', 'staging'] as const) {
            const report = await verify(await bundled(environment), { connection });
            expect(report.target.kind).toBe('server');
            expect(report.target.standin).toBe(true);
            expect(report.failure).toBeNull();
            expect(report.drift).toEqual([]);
            expect(failedProbes(report)).toEqual([]);
            expect(report.summary).toEqual(
              environment === 'production'
                ? { tables: 5, probes: 80, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } }
                : { tables: 6, probes: 96, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } },
            );
          }
        } finally {
          await connection.close();
        }
        expect(await footprint(db)).toEqual(before);
      }),
    );
  });

  it('reports drift of a database that already had a table, and hand-made leaks, then rolls everything back', { timeout: LONG }, async () => {
    await underRolesLock(() =>
      withScratchDatabase(async (db) => {
        // A table that exists before verify runs: CREATE TABLE IF NOT EXISTS skips it.
        await queryOnce(db, 'CREATE TABLE public.trips (id uuid PRIMARY KEY, user_id uuid, start date, title text)');
        const before = await footprint(db);
        const connection = await openServer(db);
        try {
          const report = await verify(await bundled('production'), {
            connection,
            afterApply:
              'CREATE POLICY leak ON public.pam_savings FOR SELECT TO authenticated USING (true); ALTER TABLE public.pam_messages DISABLE ROW LEVEL SECURITY;',
          });
          expect(report.ok).toBe(false);
          const drift = report.drift.map((d) => `${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`);
          expect(drift).toContain('trips.end: column missing');
          expect(drift).toContain('trips.start: type is date, spec says timestamptz');
          expect(drift).toContain('trips.title: column is not in the spec');
          expect(drift).toContain('pam_savings: policy "leak" is not in the spec (FOR SELECT TO authenticated USING true)');
          expect(drift).toContain('pam_messages: row level security is disabled, spec says enabled');
          const failed = failedProbes(report);
          expect(failed).toContain('pam_savings b select');
          expect(failed).toContain('pam_messages anon select');
        } finally {
          await connection.close();
        }
        expect(await footprint(db)).toEqual(before);
        const trips = await queryOnce(db, `SELECT count(*)::int AS n FROM public.trips`);
        expect(trips[0]?.n).toBe(0);
      }),
    );
  });

  it('fails on views and SECURITY DEFINER functions through which anon reads a spec table, and names each', { timeout: LONG }, async () => {
    await withScratchDatabase(async (db) => {
      const connection = await openServer(db);
      try {
        const report = await verify(await bundled('production'), {
          connection,
          afterApply: `
            CREATE VIEW public.trips_feed AS SELECT id, user_id, route FROM public.trips;
            GRANT SELECT ON public.trips_feed TO anon;
            CREATE VIEW public.trips_feed_again AS SELECT id FROM public.trips_feed;
            CREATE VIEW public.trips_own WITH (security_invoker = true) AS SELECT id, user_id FROM public.trips;
            GRANT SELECT ON public.trips_own TO anon;
            CREATE MATERIALIZED VIEW public.trip_counts AS SELECT user_id, count(*) AS n FROM public.trips GROUP BY user_id;
            CREATE VIEW public.savings_admin AS SELECT * FROM public.pam_savings;
            REVOKE ALL ON public.savings_admin FROM anon, authenticated;
            CREATE FUNCTION public.all_trips() RETURNS SETOF public.trips LANGUAGE sql STABLE SECURITY DEFINER
              BEGIN ATOMIC SELECT * FROM public.trips; END;
            CREATE FUNCTION public.trip_total() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
              AS $$ BEGIN RETURN (SELECT count(*) FROM public.trips); END $$;
            CREATE FUNCTION public.answer() RETURNS int LANGUAGE sql SECURITY DEFINER BEGIN ATOMIC SELECT 42; END;
            CREATE FUNCTION public.stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = ''
              AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
            CREATE FUNCTION public.backend_only() RETURNS bigint LANGUAGE plpgsql SECURITY DEFINER
              AS $$ BEGIN RETURN (SELECT count(*) FROM public.trips); END $$;
            REVOKE EXECUTE ON FUNCTION public.backend_only() FROM PUBLIC;
          `,
        });
        expect(report.ok).toBe(false);
        expect(report.drift).toEqual([]);
        expect(failedProbes(report)).toEqual([]);
        expect(report.exposures.map((e) => `${e.kind} ${e.object}: ${e.tables.join(',') || '-'} by ${e.roles.join(',')}`)).toEqual([
          'materialized view public.trip_counts: trips by anon,authenticated',
          'view public.trips_feed: trips by anon,authenticated',
          'view public.trips_feed_again: trips by anon,authenticated',
          'function public.all_trips(): trips by anon,authenticated',
          'function public.trip_total(): - by anon,authenticated',
        ]);
        expect(report.summary.exposures).toBe(5);
        expect(report.summary.scanned).toEqual({ views: 5, functions: 5 });
        const text = renderVerifyText(report);
        expect(text).toContain(
          'exposed: view public.trips_feed reads trips and anon, authenticated can SELECT it: it runs with the rights of its owner postgres, so the row level security of trips does not apply to its callers',
        );
        expect(text).toContain(
          'exposed: function public.all_trips() is SECURITY DEFINER, reads trips, and anon, authenticated can execute it (EXECUTE is granted to PUBLIC)',
        );
        expect(text).toMatch(/^verify: 5 tables, 80 probes, 0 failures, 0 drift, 5 exposures; scanned 5 views and 5 functions for exposure$/m);
      } finally {
        await connection.close();
      }
    });
  });
});
