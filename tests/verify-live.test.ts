/**
 * verify against a database that serves traffic: a scratch database with the
 * bundled spec's migrations applied (and committed), an application made of
 * a few connections that keep reading and inserting, and verify run beside
 * it. verify must not stall the application beyond its lock timeout and the
 * short time it holds its locks; when a session holds a lock verify needs,
 * verify gives up within its budget with exit 2 and names that session; and
 * SIGINT/SIGTERM roll back and close before pamc exits (130/143).
 *
 * Runs only when PAMC_TEST_DATABASE_URL names a server (a superuser URL).
 * Nothing here waits by sleeping: waits end on what pg_stat_activity shows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import pg from 'pg';
import { openServer } from '../compiler/verify/db.js';
import { verify, type VerifyInput } from '../compiler/verify/index.js';
import { lockBudgetMs } from '../compiler/verify/locks.js';
import { STANDIN_SQL } from '../compiler/verify/standin.js';
import { queryOnce, testDatabaseUrl, withScratchDatabase } from './helpers/db.js';
import { CLI, ROOT, runPamc, verifyInputOf } from './helpers/project.js';

const admin = testDatabaseUrl();
if (!admin) console.info('verify-live tests skipped: set PAMC_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run them');

const LONG = 60_000;
const USER = '00000000-0000-4000-8000-0000000000aa';
const API_ROLES = ['anon', 'authenticated', 'service_role'];
/** Held while this file may have committed the API roles, which are the cluster's: tests/verify-server.test.ts compares roles under it. */
const ROLES_LOCK = 0x70616d63;

/** verify's session waiting for a lock, and any session of verify, in the scratch database (other test files may run verify elsewhere). */
const WAITING = `SELECT 1 FROM pg_stat_activity WHERE application_name = 'pamc verify' AND wait_event_type = 'Lock' AND datname = current_database()`;
const CONNECTED = `SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'pamc verify%' AND datname = current_database()`;

/** Waits until `check` holds, looking every 20 ms; fails after `ms`. */
async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An application: `n` connections, each running reads and inserts on pam_messages and trips, one after another, timing each. */
class App {
  readonly samples: Array<{ start: number; end: number }> = [];
  private running = true;
  private loops: Promise<void>[] = [];
  private constructor(private readonly clients: pg.Client[]) {}

  static async start(url: string, n = 4): Promise<App> {
    const clients = await Promise.all(
      Array.from({ length: n }, async () => {
        const c = new pg.Client({ connectionString: url, application_name: 'pamc-test app' });
        await c.connect();
        return c;
      }),
    );
    const app = new App(clients);
    app.loops = clients.map((c, i) => app.loop(c, i));
    return app;
  }

  private async loop(c: pg.Client, i: number): Promise<void> {
    const queries = [
      ['SELECT count(*) FROM public.trips WHERE user_id = $1', [USER]],
      ["INSERT INTO public.pam_messages (user_id, role, content) VALUES ($1, 'user', 'hello')", [USER]],
      ['SELECT id FROM public.pam_messages WHERE user_id = $1 ORDER BY created_at DESC LIMIT 10', [USER]],
      ['INSERT INTO public.trips (user_id) VALUES ($1)', [USER]],
    ] as const;
    for (let k = i; this.running; k++) {
      const [sql, params] = queries[k % queries.length]!;
      const start = performance.now();
      await c.query(sql, [...params]);
      this.samples.push({ start, end: performance.now() });
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** The slowest query that was running at some point in [from, to]. */
  worst(from = 0, to = Infinity): number {
    return Math.max(0, ...this.samples.filter((s) => s.end >= from && s.start <= to).map((s) => s.end - s.start));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await Promise.all(this.clients.map((c) => c.end()));
  }
}

describe.skipIf(!admin)('verify on a database that serves traffic', () => {
  let url = '';
  let input: VerifyInput;
  let release: () => void = () => undefined;
  let scratch: Promise<void> = Promise.resolve();
  const created: string[] = [];
  let guard: pg.Client | null = null;

  beforeAll(async () => {
    guard = new pg.Client({ connectionString: admin });
    await guard.connect();
    await guard.query('SELECT pg_advisory_lock($1)', [ROLES_LOCK]);
    // One scratch database for the file, kept until afterAll.
    await new Promise<void>((ready, failed) => {
      scratch = withScratchDatabase(async (u) => {
        url = u;
        ready();
        await new Promise<void>((r) => (release = r));
      });
      scratch.catch(failed);
    });
    const roles = await queryOnce<{ rolname: string }>(admin!, `SELECT rolname FROM pg_roles WHERE rolname = ANY ($1)`, [API_ROLES]);
    created.push(...API_ROLES.filter((r) => !roles.some((x) => x.rolname === r)));
    input = await verifyInputOf('production');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(STANDIN_SQL);
      for (const m of input.migrations) await client.query(m.text);
      await client.query('INSERT INTO auth.users (id) VALUES ($1)', [USER]);
    } finally {
      await client.end();
    }
  }, LONG);

  afterAll(async () => {
    release();
    await scratch;
    // Roles are the cluster's: drop the ones this file created, once the database that used them is gone.
    for (const role of created) await queryOnce(admin!, `DROP ROLE IF EXISTS ${role}`);
    await guard?.end();
  }, LONG);

  it('keeps the slowest application query within 1.5 s of its slowest without verify', { timeout: LONG }, async () => {
    const app = await App.start(url);
    let report;
    let during = { from: 0, to: 0 };
    try {
      await until('the application to run', async () => app.samples.length >= 100);
      const baseline = app.worst();
      const connection = await openServer(url);
      try {
        during = { from: performance.now(), to: 0 };
        report = await verify(input, { connection });
        during.to = performance.now();
      } finally {
        await connection.close();
      }
      await until('the application to run on', async () => app.samples.some((s) => s.start > during.to));
      const worst = app.worst(during.from, during.to);
      expect(report.ok).toBe(true);
      expect(report.locks.map((l) => `${l.mode} ${l.relation}`)).toContain('ACCESS EXCLUSIVE public.trips');
      expect(app.samples.filter((s) => s.end >= during.from && s.start <= during.to).length).toBeGreaterThan(0);
      expect(worst).toBeLessThanOrEqual(baseline + 1500);
    } finally {
      await app.stop();
    }
  });

  it(
    'gives up with exit 2 within its budget when a session holds a lock it needs, names it, and never holds the application up longer than its lock timeout',
    { timeout: LONG },
    async () => {
      const holder = new pg.Client({ connectionString: url, application_name: 'pamc-test long report' });
      await holder.connect();
      const app = new pg.Client({ connectionString: url, application_name: 'pamc-test app' });
      await app.connect();
      try {
        const holderPid = Number((await holder.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
        await holder.query('BEGIN');
        await holder.query('SELECT count(*) FROM public.trips');
        const lockTimeout = 300;
        const run = runPamc(ROOT, ['verify', '--database-url', url, '--lock-timeout', String(lockTimeout)]);
        // While verify waits for its lock on trips, the application reads trips.
        await until('verify to wait for a lock', async () => {
          const rows = await queryOnce(url, WAITING);
          return rows.length > 0;
        });
        const t0 = performance.now();
        const a0 = performance.now();
        await app.query('SELECT count(*) FROM public.trips');
        const appMs = performance.now() - a0;
        const r = await run;
        const elapsed = performance.now() - t0;
        expect(r.status).toBe(2);
        expect(r.stdout).toMatch(/^could not verify: could not take a lock: no lock within 300 ms, 4 attempts/m);
        expect(r.stdout).toMatch(
          new RegExp(
            `blocked by: pid ${holderPid} \\(application "pamc-test long report", user \\w+, idle in transaction, transaction open [0-9.]+ s\\): SELECT count\\(\\*\\) FROM public\\.trips`,
          ),
        );
        expect(r.stdout).toMatch(/waiting for: AccessExclusiveLock on (public\.)?trips/);
        expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('verify: not verified: could not take a lock; nothing was judged');
        // From its first wait: at most four lock timeouts and three backoffs, and slack for rolling back and reporting.
        expect(elapsed).toBeLessThan(lockBudgetMs({ timeoutMs: lockTimeout, retries: 3, backoffMs: 100 }) + 1000);
        expect(appMs).toBeLessThan(lockTimeout + 400);
        // Nothing is left: verify's session is gone, the holder's transaction still stands.
        await until('verify to disconnect', async () => (await queryOnce(url, CONNECTED)).length === 0);
        expect((await holder.query('SELECT count(*)::int AS n FROM public.trips')).rows[0].n).toBeGreaterThanOrEqual(0);
      } finally {
        await holder.query('ROLLBACK').catch(() => undefined);
        await Promise.all([holder.end(), app.end()]);
      }
    },
  );

  it('ends with exit 2 when a statement runs past --statement-timeout', { timeout: LONG }, async () => {
    const holder = new pg.Client({ connectionString: url, application_name: 'pamc-test holder' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE public.trips IN ACCESS SHARE MODE');
      // The lock wait outlasts the statement timeout: the timeout ends the statement, and the run.
      const r = await runPamc(ROOT, ['verify', '--database-url', url, '--lock-timeout', '20000', '--statement-timeout', '300']);
      expect(r.status).toBe(2);
      expect(r.stdout).toContain('could not verify: canceling statement due to statement timeout (statement_timeout 300 ms) (SQLSTATE 57014)');
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('verify: not verified: a statement ran past the statement timeout; nothing was judged');
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });

  it('rolls back, closes and exits 143 on SIGTERM and 130 on SIGINT, with application_name "pamc verify" visible meanwhile', { timeout: LONG }, async () => {
    const holder = new pg.Client({ connectionString: url, application_name: 'pamc-test holder' });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE public.trips IN ACCESS SHARE MODE');
      for (const [signal, status] of [
        ['SIGTERM', 143],
        ['SIGINT', 130],
      ] as const) {
        const child = spawn(process.execPath, [CLI, 'verify', '--database-url', url, '--lock-timeout', '30000'], {
          cwd: ROOT,
          env: { ...process.env, NO_COLOR: '1' },
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
        await until('verify to wait for a lock', async () => {
          const rows = await queryOnce(url, WAITING);
          return rows.length > 0;
        });
        const t0 = performance.now();
        child.kill(signal);
        expect(await exited).toBe(status);
        expect(performance.now() - t0).toBeLessThan(3000);
        expect(stderr).toContain(`pamc verify: ${signal}: cancelling, rolling back and closing the connection`);
        await until('verify to disconnect', async () => (await queryOnce(url, CONNECTED)).length === 0);
        const locks = await queryOnce(
          url,
          `SELECT 1 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE a.application_name LIKE 'pamc verify%' AND a.datname = current_database()`,
        );
        expect(locks).toEqual([]);
      }
    } finally {
      await holder.query('ROLLBACK').catch(() => undefined);
      await holder.end();
    }
  });
});
