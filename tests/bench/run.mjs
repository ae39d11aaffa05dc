#!/usr/bin/env node
/**
 * The benchmark: what pamc costs at the sizes users have, as ratios measured
 * side by side in one run. A script, not a test: it prints numbers and never
 * fails on them.
 *
 * Generates synthetic specs (owner-RLS tables spread over phases, with
 * references between tables and to auth.users, checks, `in` lists, indexes
 * and extends) into temporary directories, and times whole processes:
 * - `pamc check` on the repository's own spec against bare `node -e 0`;
 * - `pamc build` from scratch (each run in a fresh copy, out/ empty) and
 *   `pamc check` on the built project, per size, with peak memory;
 * - `pamc build` of one more table on a built spec of 1,000 tables;
 * - with `--against <dir>` (another checkout of pamc, built), the two last
 *   for both, interleaved: before and after a change, in one run;
 * - `pamc verify` on the repository's spec, and with PAMC_TEST_DATABASE_URL
 *   ./verify-load.mjs (an application's latency beside verify).
 *
 *   npm run bench                               # 100, 1,000 and 10,000 tables
 *   npm run bench -- --sizes 100,1000           # some sizes only
 *   npm run bench -- --runs 3                   # runs per measurement (default: 7, 5 at 1,000, 3 at 10,000)
 *   npm run bench -- --against ../pamc-before   # before/after at 1,000 tables
 *   npm run bench -- --no-verify --json         # without verify; the results as JSON too
 *   node tests/bench/run.mjs --generate 1000 DIR   # write a spec only (for profiling)
 *
 * Needs dist/ (npx tsc -p .).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'dist/compiler/cli/main.js');
const WRAPPER = join(dirname(fileURLToPath(import.meta.url)), 'maxrss.mjs');
const VERIFY_LOAD = join(dirname(fileURLToPath(import.meta.url)), 'verify-load.mjs');
const TABLES_PER_PHASE = 50;
const EXTEND_EVERY = 10;
/** A fixed clock, so every build writes the same versions. */
const NOW = '1767225600';

// ---------------------------------------------------------------------------
// The synthetic spec.

/** The YAML of table i: an owner-RLS table that references auth.users and an earlier table. */
function tableYaml(i) {
  const name = tableName(i);
  const lines = [
    `  ${name}:`,
    `    description: Synthetic table ${i}.`,
    '    tables:',
    `      ${name}:`,
    '        columns:',
    '          id:         { type: uuid, primary_key: true, default: gen_random_uuid() }',
    '          user_id:    { type: uuid, not_null: true, references: auth.users(id), on_delete: cascade }',
  ];
  if (i > 0) lines.push(`          parent_id:  { type: uuid, references: ${tableName(i - 1)}(id), on_delete: set null }`);
  if (i >= TABLES_PER_PHASE) lines.push(`          origin_id:  { type: bigint, references: ${tableName(i - TABLES_PER_PHASE)}(seq) }`);
  lines.push(
    '          seq:        { type: bigint, not_null: true, unique: true }',
    '          title:      { type: text, not_null: true, check: "char_length(title) <= 200" }',
    `          amount:     { type: "numeric(12,2)", default: 0, check: "amount >= 0 AND amount < ${1000 + i}" }`,
    '          status:     { type: text, not_null: true, default: "\'draft\'", in: [draft, active, done] }',
    '          tags:       { type: "text[]" }',
    '          metadata:   { type: jsonb }',
    '          created_at: { type: timestamptz, not_null: true, default: now() }',
    '        indexes:',
    '          - columns: [user_id, created_at]',
    '          - { columns: [status], where: "status <> \'done\'" }',
    '        rls:',
    '          owner: user_id',
    '          allow: [select, insert, update]',
  );
  return lines.join('\n');
}

/** A later feature that extends table i: a column, an index and a permission. */
function extendYaml(i) {
  const name = tableName(i);
  return [
    `  ${name}_notes:`,
    `    description: Notes on synthetic table ${i}.`,
    '    extend:',
    `      ${name}:`,
    '        columns:',
    '          note: { type: varchar(500), check: "note <> \'\'" }',
    '        indexes:',
    '          - columns: [user_id, note]',
    '        rls:',
    '          allow: [delete]',
  ].join('\n');
}

function tableName(i) {
  return `item_${String(i).padStart(5, '0')}`;
}

/** Writes a project of `tables` tables into `dir`: schema/phase-*.yaml and package.json. */
export function generate(tables, dir) {
  mkdirSync(join(dir, 'schema'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ private: true, pamc: {} }, null, 2)}\n`);
  let extendsCount = 0;
  for (let phase = 0; phase * TABLES_PER_PHASE < tables; phase++) {
    const parts = [`phase: ${phase + 1}`, `title: Synthetic phase ${phase + 1}`, 'features:'];
    const first = phase * TABLES_PER_PHASE;
    const last = Math.min(tables, first + TABLES_PER_PHASE);
    for (let i = first; i < last; i++) parts.push(tableYaml(i));
    for (let i = first; i < last; i++) {
      if (i % EXTEND_EVERY !== EXTEND_EVERY - 1) continue;
      parts.push(extendYaml(i));
      extendsCount++;
    }
    writeFileSync(join(dir, 'schema', `phase-${String(phase + 1).padStart(4, '0')}.yaml`), `${parts.join('\n')}\n`);
  }
  return { tables, phases: Math.ceil(tables / TABLES_PER_PHASE), features: tables + extendsCount };
}

// ---------------------------------------------------------------------------
// Measuring a process.

const TIME = ['/usr/bin/time', '/bin/time'].find((p) => existsSync(p)) ?? null;

/**
 * Runs `node args` in `cwd`; returns wall milliseconds and peak RSS in MiB.
 * Peak RSS comes from /usr/bin/time -f %M when present, else from a wrapper
 * that reports process.resourceUsage().maxRSS when the child exits.
 */
function measure(args, cwd, { expect = 0, env = {} } = {}) {
  const rssFile = join(tmpdir(), `pamc-bench-rss-${process.pid}`);
  const [command, argv] = TIME ? [TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]] : [process.execPath, [WRAPPER, rssFile, ...args]];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(command, argv, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: NOW, ...env }, maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== expect) {
    throw new Error(`\`node ${args.join(' ')}\` in ${cwd} exited ${r.status} (expected ${expect}):\n${r.stdout}\n${r.stderr.slice(0, 4000)}`);
  }
  let kib = NaN;
  try {
    kib = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
  } catch {
    // No figure: shown as n/a.
  } finally {
    rmSync(rssFile, { force: true });
  }
  return { ms, mib: kib / 1024, stdout: r.stdout, stderr: r.stderr };
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { min: sorted[0], median, max: sorted[sorted.length - 1], n: sorted.length };
}

/** Runs each job once per round, `runs` rounds (so that the machine's load touches all alike): each job's wall and RSS statistics. */
function interleave(runs, jobs) {
  const samples = jobs.map(() => ({ ms: [], mib: [] }));
  for (let i = 0; i < runs; i++) {
    for (const [j, job] of jobs.entries()) {
      job.before?.();
      const r = measure(job.args(), job.cwd(), { env: job.env ?? {} });
      samples[j].ms.push(r.ms);
      samples[j].mib.push(r.mib);
    }
  }
  return samples.map((x) => ({ wall: stats(x.ms), rss: stats(x.mib) }));
}

/**
 * What `pamc check` pays before any work of its own, as processes: Node with
 * the PostgreSQL parser loaded and one fragment parsed (the model parses
 * every type and expression, so any check pays this); and that with the
 * modules `pamc check` loads.
 */
function bundledFloors() {
  const url = (rel) => JSON.stringify(new URL(`../../dist/compiler/${rel}`, import.meta.url).href);
  const parse = `const { loadParser } = await import(${url('sql/parser.js')}); (await loadParser()).parse('SELECT NULL::uuid');`;
  return [
    { what: 'node, the parser loaded, one parse', args: ['--input-type=module', '-e', parse] },
    {
      what: "that, and pamc check's modules loaded",
      args: ['--input-type=module', '-e', `await import(${url('cli/run.js')}); await import(${url('cli/check.js')}); ${parse}`],
    },
  ];
}

// ---------------------------------------------------------------------------
// Output.

const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (mib) => (Number.isFinite(mib) ? `${mib.toFixed(0)} MB` : 'n/a');

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => `| ${cells.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`;
  return [line(headers), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ---------------------------------------------------------------------------
// Main.

function parseArgs(argv) {
  const opts = { sizes: [100, 1000, 10000], runs: null, verify: true, json: false, against: null, generate: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') opts.sizes = argv[++i].split(',').map(Number);
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--no-verify') opts.verify = false;
    else if (a === '--json') opts.json = true;
    else if (a === '--against') opts.against = resolve(argv[++i]);
    else if (a === '--generate') opts.generate = { tables: Number(argv[++i]), dir: resolve(argv[++i]) };
    else throw new Error(`unknown option ${a}`);
  }
  return opts;
}

/** A project in a fresh directory under `work`: the schema of `spec`, and (`out`) the output directory of a built copy. */
let copies = 0;
function copier(work, prefix) {
  return (spec, out = null) => {
    // Numbered across the whole run: a second pass over a size must not copy into the first pass's directories.
    const dir = join(work, `${prefix}-${++copies}`);
    cpSync(join(spec, 'schema'), join(dir, 'schema'), { recursive: true });
    cpSync(join(spec, 'package.json'), join(dir, 'package.json'));
    if (out) cpSync(out, join(dir, 'out'), { recursive: true });
    return dir;
  };
}

/** One more table, in a phase of its own, on a generated project of `tables` tables. */
function addTable(dir, tables) {
  const phase = Math.ceil(tables / TABLES_PER_PHASE) + 1;
  writeFileSync(join(dir, 'schema', `phase-${String(phase).padStart(4, '0')}.yaml`), `phase: ${phase}\ntitle: One more\nfeatures:\n${tableYaml(tables)}\n`);
}

/** Build from scratch and build of one more table at `n` tables, for each CLI in `clis` (name → path), interleaved. */
function buildJobs(work, clis, n) {
  const spec = join(work, `spec-${n}`);
  if (!existsSync(spec)) generate(n, spec);
  const jobs = [];
  for (const [name, cli] of Object.entries(clis)) {
    const copy = copier(work, `${name}-${n}`);
    const built = copy(spec);
    measure([cli, 'build', '--now', NOW], built);
    let dir = '';
    jobs.push({ name, what: 'build from scratch', before: () => (dir = copy(spec)), args: () => [cli, 'build', '--now', NOW], cwd: () => dir });
    jobs.push({
      name,
      what: 'build of one more table',
      before: () => {
        dir = copy(spec, join(built, 'out'));
        addTable(dir, n);
      },
      args: () => [cli, 'build', '--now', String(Number(NOW) + 86400)],
      cwd: () => dir,
    });
    jobs.push({ name, what: 'check', args: () => [cli, 'check'], cwd: () => built });
  }
  return jobs;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.generate) {
    const g = generate(opts.generate.tables, opts.generate.dir);
    process.stdout.write(`wrote ${g.tables} tables, ${g.features} features, ${g.phases} phases to ${opts.generate.dir}\n`);
    return;
  }
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p .\` first`);
  const log = (s) => process.stderr.write(`${s}\n`);
  const say = (s) => process.stdout.write(`${s}\n`);
  const runsFor = (n) => opts.runs ?? (n >= 10000 ? 3 : n >= 1000 ? 5 : 7);
  const results = { machine: { node: process.version, cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}` }, sizes: [] };
  say(`node ${process.version}, ${results.machine.cpus}`);

  log('node -e 0, the floors and pamc check on the bundled spec, interleaved …');
  const floors = bundledFloors();
  const bundledRuns = interleave(opts.runs ?? 15, [
    { args: () => ['-e', '0'], cwd: () => ROOT },
    ...floors.map((f) => ({ args: () => f.args, cwd: () => ROOT })),
    { args: () => [CLI, 'check'], cwd: () => ROOT },
  ]);
  const node = bundledRuns[0];
  const bundled = bundledRuns[bundledRuns.length - 1];
  results.bundled = { node, check: bundled, ratio: bundled.wall.median / node.wall.median };
  const floorRows = [['node -e 0', node], ...floors.map((f, i) => [f.what, bundledRuns[i + 1]]), ['pamc check', bundled]].map(([what, m]) => [
    what,
    fmt(m.wall.median),
    `${(m.wall.median / node.wall.median).toFixed(2)}×`,
  ]);
  results.bundled.floors = floorRows;
  say(`\npamc check on the bundled spec, and what any check pays before its own work (medians of ${opts.runs ?? 15} interleaved runs):\n`);
  say(table(['process', 'wall', '× node -e 0'], floorRows));
  say(
    `\npamc check on the bundled spec: ${fmt(bundled.wall.median)} against node -e 0 ${fmt(node.wall.median)}: ${results.bundled.ratio.toFixed(2)}× (budget 3×)`,
  );

  const work = mkdtempSync(join(tmpdir(), 'pamc-bench-'));
  try {
    for (const n of opts.sizes) {
      log(`${n} tables …`);
      const [build, more, check] = interleave(runsFor(n), buildJobs(work, { after: CLI }, n));
      results.sizes.push({ tables: n, build, more, check });
    }
    const rows = results.sizes.map((s) => [
      s.tables,
      fmt(s.build.wall.median),
      `${(s.build.wall.median / s.tables).toFixed(2)} ms`,
      fmtMb(s.build.rss.max),
      fmt(s.more.wall.median),
      fmt(s.check.wall.median),
      fmtMb(s.check.rss.max),
    ]);
    say(`\n${table(['tables', 'build', 'per table', 'build peak', 'one more table', 'check', 'check peak'], rows)}`);
    const at = (n) => results.sizes.find((s) => s.tables === n);
    if (at(1000) && at(10000)) {
      const r = at(10000).build.wall.median / 10000 / (at(1000).build.wall.median / 1000);
      say(`build per table at 10,000 tables / at 1,000: ${r.toFixed(2)}× (budget 1.5×)`);
    }

    if (opts.against) {
      const before = join(opts.against, 'dist/compiler/cli/main.js');
      if (!existsSync(before)) throw new Error(`${before} is missing: build that checkout first`);
      log(`before/after at 1,000 tables, interleaved, against ${opts.against} …`);
      const jobs = buildJobs(work, { before, after: CLI }, 1000);
      const measured = interleave(opts.runs ?? 5, jobs);
      const pick = (name, what) => measured[jobs.findIndex((j) => j.name === name && j.what === what)];
      const compareRows = ['build from scratch', 'build of one more table', 'check'].map((what) => {
        const b = pick('before', what);
        const a = pick('after', what);
        return [what, fmt(b.wall.median), fmt(a.wall.median), `${(a.wall.median / b.wall.median).toFixed(2)}×`, fmtMb(b.rss.max), fmtMb(a.rss.max)];
      });
      results.against = { dir: opts.against, rows: compareRows };
      say(`\nbefore (${opts.against}) and after, 1,000 tables, medians of ${opts.runs ?? 5} interleaved runs:\n`);
      say(table(['', 'before', 'after', 'after / before', 'peak before', 'peak after'], compareRows));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  if (opts.verify) {
    log('pamc verify on the bundled spec (PGlite) …');
    const [verify] = interleave(opts.runs ?? 3, [{ args: () => [CLI, 'verify'], cwd: () => ROOT }]);
    results.verify = verify;
    say(`\npamc verify on the bundled spec: ${fmt(verify.wall.median)}, peak ${fmtMb(verify.rss.max)}`);
    // verify beside an application's load needs a server: ./verify-load.mjs.
    if (process.env.PAMC_TEST_DATABASE_URL) spawnSync(process.execPath, [VERIFY_LOAD, ...(opts.json ? ['--json'] : [])], { stdio: 'inherit' });
    else log('verify beside an application: set PAMC_TEST_DATABASE_URL to run tests/bench/verify-load.mjs too');
  }
  if (opts.json) say(JSON.stringify(results, null, 2));
}

main();
