#!/usr/bin/env node
/**
 * verify beside an application: what `pamc verify --database-url` costs a
 * database that serves traffic.
 *
 * Makes a scratch database on the server PAMC_TEST_DATABASE_URL names (a
 * superuser URL), applies the bundled spec's migrations to it (with the
 * Supabase stand-in), and starts an application: a few connections that
 * each read and insert on pam_messages and trips in a loop, with a short
 * pause between queries. It then measures the application's query latency
 * (p50, p99, max):
 *
 *   1. alone, for a few seconds;
 *   2. while verify runs, several times back to back (only the queries that
 *      overlapped a run count);
 *   3. while a session holds a long transaction on trips and verify runs with
 *      its default limits: verify's time to give up (exit 2), and the
 *      latency of the application's queries meanwhile.
 *
 * A script, not a test: it prints numbers and never fails on them. Drops the
 * database (and the API roles, when it created them) at the end.
 *
 *   PAMC_TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node tests/bench/verify-load.mjs [--json] [--runs N] [--clients N]
 *
 * Needs dist/ (npx tsc -p .).
 */
import { randomBytes } from 'node:crypto';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dist = (p) => import(pathToFileURL(join(ROOT, 'dist/compiler', p)).href);
const USER = '00000000-0000-4000-8000-0000000000aa';
const API_ROLES = ['anon', 'authenticated', 'service_role'];

function args(argv) {
  const opts = { json: false, runs: 5, clients: 4, aloneMs: 3000 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--json') opts.json = true;
    else if (argv[i] === '--runs') opts.runs = Number(argv[++i]);
    else if (argv[i] === '--clients') opts.clients = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  return opts;
}

async function once(url, sql, params = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

/** The application: `n` connections reading and inserting on pam_messages and trips, each query timed. */
function startApp(url, n) {
  const samples = [];
  let running = true;
  const queries = [
    ['SELECT count(*) FROM public.trips WHERE user_id = $1', [USER]],
    ["INSERT INTO public.pam_messages (user_id, role, content) VALUES ($1, 'user', 'hello')", [USER]],
    ['SELECT id FROM public.pam_messages WHERE user_id = $1 ORDER BY created_at DESC LIMIT 10', [USER]],
    ['INSERT INTO public.trips (user_id) VALUES ($1)', [USER]],
  ];
  const loops = Array.from({ length: n }, async (_, i) => {
    const c = new pg.Client({ connectionString: url, application_name: 'bench app' });
    await c.connect();
    try {
      for (let k = i; running; k++) {
        const [sql, params] = queries[k % queries.length];
        const start = performance.now();
        await c.query(sql, params);
        samples.push({ start, end: performance.now(), table: sql.includes('trips') ? 'trips' : 'pam_messages' });
        await new Promise((r) => setTimeout(r, 5));
      }
    } finally {
      await c.end();
    }
  });
  return {
    samples,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

function stats(samples) {
  const ms = samples.map((s) => s.end - s.start).sort((a, b) => a - b);
  const at = (q) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] : 0);
  return { n: ms.length, p50: at(0.5), p99: at(0.99), max: ms.at(-1) ?? 0 };
}

const overlapping = (samples, windows) => samples.filter((s) => windows.some((w) => s.end >= w.from && s.start <= w.to));

async function main() {
  const opts = args(process.argv.slice(2));
  const admin = process.env.PAMC_TEST_DATABASE_URL;
  if (!admin) throw new Error('set PAMC_TEST_DATABASE_URL to a superuser URL, e.g. postgres://postgres@127.0.0.1:5432/postgres');
  const [{ openServer }, { verify }, { STANDIN_SQL }, { loadProject }, { verifyMigrations }] = await Promise.all([
    dist('verify/db.js'),
    dist('verify/index.js'),
    dist('verify/standin.js'),
    dist('cli/project.js'),
    dist('verify/migrations.js'),
  ]);
  const project = await loadProject(ROOT, {}, new Date());
  const { output, settings, input: compiled, parser } = project;
  const migrations = verifyMigrations(output.plan, output.foreign, 'production', compiled.outFiles, settings.out).files;
  const input = { spec: output.spec, environment: 'production', migrations };

  const name = `pamc_bench_${randomBytes(6).toString('hex')}`;
  const existing = (await once(admin, 'SELECT rolname FROM pg_roles WHERE rolname = ANY ($1)', [API_ROLES])).map((r) => r.rolname);
  await once(admin, `CREATE DATABASE ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  const db = url.toString();
  const log = (s) => process.stderr.write(`${s}\n`);
  const results = { clients: opts.clients, runs: opts.runs };
  try {
    const setup = new pg.Client({ connectionString: db });
    await setup.connect();
    await setup.query(STANDIN_SQL);
    for (const m of migrations) await setup.query(m.text);
    await setup.query('INSERT INTO auth.users (id) VALUES ($1)', [USER]);
    await setup.end();

    const app = startApp(db, opts.clients);
    try {
      log(`the application alone, ${opts.aloneMs} ms …`);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, opts.aloneMs));
      results.alone = stats(app.samples.filter((s) => s.start >= t0));

      log(`verify ×${opts.runs} beside it …`);
      const windows = [];
      const durations = [];
      for (let i = 0; i < opts.runs; i++) {
        const connection = await openServer(db);
        const from = performance.now();
        const report = await verify(input, { connection, parser });
        const to = performance.now();
        await connection.close();
        if (!report.ok) throw new Error(`verify did not prove the bundled spec: ${JSON.stringify(report.aborted ?? report.failure ?? report.drift)}`);
        windows.push({ from, to });
        durations.push(to - from);
        await new Promise((r) => setTimeout(r, 200));
      }
      results.withVerify = stats(overlapping(app.samples, windows));
      results.verifyMs = stats(durations.map((d) => ({ start: 0, end: d })));

      log('verify beside a session that holds trips in a long transaction …');
      const holder = new pg.Client({ connectionString: db, application_name: 'bench long report' });
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('SELECT count(*) FROM public.trips');
      const connection = await openServer(db);
      const from = performance.now();
      const report = await verify(input, { connection, parser });
      const to = performance.now();
      await connection.close();
      await holder.query('ROLLBACK');
      await holder.end();
      const during = overlapping(app.samples, [{ from, to }]);
      results.blocked = {
        gaveUpMs: to - from,
        reason: report.aborted?.reason ?? null,
        namedHolder: report.aborted?.blockers.some((b) => b.application === 'bench long report') ?? false,
        app: stats(during),
        appOnTrips: stats(during.filter((s) => s.table === 'trips')),
      };
    } finally {
      await app.stop();
    }
  } finally {
    await once(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    for (const role of API_ROLES.filter((r) => !existing.includes(r))) await once(admin, `DROP ROLE IF EXISTS ${role}`);
  }
  print(results);
  if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
}

function print(r) {
  const f = (x) => x.toFixed(1);
  const row = (label, s) => `${label.padEnd(44)} ${String(s.n).padStart(6)} ${f(s.p50).padStart(8)} ${f(s.p99).padStart(8)} ${f(s.max).padStart(8)}`;
  const out = [
    `verify beside an application: ${r.clients} connections, reads and inserts on pam_messages and trips; latency in ms`,
    '',
    `${'application queries'.padEnd(44)} ${'n'.padStart(6)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'max'.padStart(8)}`,
    row('alone', r.alone),
    row(`while verify runs (${r.runs} runs)`, r.withVerify),
    row('while verify waits on a held lock (all)', r.blocked.app),
    row('while verify waits on a held lock (trips)', r.blocked.appOnTrips),
    '',
    `verify: median ${f(r.verifyMs.p50)} ms, max ${f(r.verifyMs.max)} ms per run; beside a held lock it gave up after ${f(r.blocked.gaveUpMs)} ms (${r.blocked.reason}), naming the holder: ${r.blocked.namedHolder ? 'yes' : 'no'}`,
  ];
  process.stdout.write(`${out.join('\n')}\n`);
}

await main();
