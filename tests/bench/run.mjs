#!/usr/bin/env node
/**
 * The benchmark: how pamc's cost grows with the spec.
 *
 * Generates synthetic specs (owner-RLS tables spread over phases, with
 * references between tables and to auth.users, checks, `in` lists, indexes
 * and extends) into temporary directories, then times whole `pamc build`
 * (each run in a fresh copy of the project, out/ empty) and `pamc check` (on
 * the built project)
 * processes: min / median / max wall time and peak memory (RSS). Also times
 * `pamc check` on the bundled spec (schema/ + out/ of this repository), bare
 * `node -e 0` for scale, and one instrumented run per size (`--timings`)
 * for the per-stage breakdown. Beside each build it times the floor
 * (./floor.mjs): a process that only loads the parser, parse-checks that
 * build's migrations on one thread and writes them. The synthetic projects
 * have no node_modules, so they run without the fragment cache, as a first
 * run does.
 *
 * A script, not a test: it prints numbers and never fails on them.
 *
 *   npm run bench                       # everything (a few minutes)
 *   npm run bench -- --sizes 100,1000   # some sizes only
 *   npm run bench -- --runs 3           # runs per measurement (default: 7 small, 3 large)
 *   npm run bench -- --json             # the results as JSON on stdout as well
 *   npm run bench -- --no-verify        # without pamc verify (PGlite, and beside a server's load)
 *
 * With PAMC_TEST_DATABASE_URL set, it then runs ./verify-load.mjs: an
 * application's query latency on a server with and without verify beside it.
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
const FLOOR = join(dirname(fileURLToPath(import.meta.url)), 'floor.mjs');
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

/** Runs `node args` in `cwd` `runs` times, `before` before each; `command` may be a function giving [args, cwd] after `before`. */
function repeat(runs, before, command, cwd, env = {}) {
  const ms = [];
  const mib = [];
  const stages = [];
  const stdout = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const [args, dir] = typeof command === 'function' ? command() : [command, cwd];
    const r = measure(args, dir, { env });
    ms.push(r.ms);
    mib.push(r.mib);
    stages.push(stageTimings(`${r.stdout}\n${r.stderr}`));
    stdout.push(r.stdout);
  }
  return { wall: stats(ms), rss: stats(mib), stages, stdout };
}

/** Runs each of `jobs` once per round, `runs` rounds; the statistics of each job. */
function interleave(runs, jobs) {
  const samples = jobs.map(() => ({ ms: [], mib: [] }));
  for (let i = 0; i < runs; i++) {
    for (const [j, job] of jobs.entries()) {
      const r = measure(job.args, ROOT, { env: job.env ?? {} });
      samples[j].ms.push(r.ms);
      samples[j].mib.push(r.mib);
    }
  }
  return samples.map((x) => ({ wall: stats(x.ms), rss: stats(x.mib) }));
}

function stageTimings(stderr) {
  const out = {};
  for (const m of stderr.matchAll(/^timing (\S+) ([0-9.]+) ms$/gm)) out[m[1]] = Number(m[2]);
  return out;
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
  const opts = { sizes: [100, 500, 1000, 10000], runs: null, json: false, keep: false, verify: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--sizes') opts.sizes = argv[++i].split(',').map(Number);
    else if (a === '--runs') opts.runs = Number(argv[++i]);
    else if (a === '--json') opts.json = true;
    else if (a === '--keep') opts.keep = true;
    else if (a === '--no-verify') opts.verify = false;
    else if (a === '--generate') opts.generate = { tables: Number(argv[++i]), dir: resolve(argv[++i]) };
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
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
  const runsFor = (n) => opts.runs ?? (n >= 10000 ? 3 : n >= 1000 ? 5 : 7);
  const results = {
    machine: { node: process.version, cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`, peakRss: TIME ? `${TIME} -f %M` : 'resourceUsage().maxRSS' },
    baseline: {},
    sizes: [],
  };

  log('node -e 0 and pamc check on the bundled spec, interleaved …');
  // Interleaved, so that a change in the machine's load touches all three alike. The fragment cache
  // (node_modules/.cache/pamc) is warmed first; the third row runs without it.
  measure([CLI, 'check'], ROOT);
  const [node, bundledCheck, bundledCheckNoCache] = interleave(opts.runs ?? 15, [
    { args: ['-e', '0'] },
    { args: [CLI, 'check'] },
    { args: [CLI, 'check'], env: { PAMC_FRAGMENT_CACHE: '0' } },
  ]);
  Object.assign(results.baseline, { node, bundledCheck, bundledCheckNoCache });
  results.baseline.bundledStages = stageTimings(measure([CLI, 'check', '--timings'], ROOT).stderr);
  if (opts.verify) {
    // The first warm run saves PGlite's data directory if it is not saved yet; the cold runs never use it.
    log('pamc verify on the bundled spec (PGlite) …');
    results.verify = {
      cold: repeat(opts.runs ?? 2, null, [CLI, 'verify', '--timings'], ROOT, { PAMC_PGLITE_CACHE: '0' }),
      warm: (measure([CLI, 'verify'], ROOT), repeat(opts.runs ?? 3, null, [CLI, 'verify', '--timings'], ROOT)),
    };
  }

  const work = mkdtempSync(join(tmpdir(), 'pamc-bench-'));
  try {
    for (const n of opts.sizes) {
      const spec = join(work, `t${n}`);
      const g = generate(n, spec);
      const runs = runsFor(n);
      log(`${n} tables (${g.features} features, ${g.phases} phases): build ×${runs} …`);
      // Every build runs in a fresh copy of the project, as in a fresh clone, and nothing is removed until the
      // benchmark ends: on a file system without a journal (ext4 here), creating files right after tens of
      // thousands were removed costs several times more (docs/performance.md), which would measure the
      // benchmark's own clean-up.
      let copies = 0;
      let dir = spec;
      const fresh = () => {
        dir = join(work, `t${n}-run${++copies}`);
        cpSync(join(spec, 'schema'), join(dir, 'schema'), { recursive: true });
        cpSync(join(spec, 'package.json'), join(dir, 'package.json'));
        // The build flushes the file system it writes (`sync -f`): without this, it would also write back the
        // copy just made and whatever the previous run left unwritten, which is the benchmark's, not pamc's.
        spawnSync('sync', [], { stdio: 'ignore' });
      };
      const build = repeat(runs, fresh, () => [[CLI, 'build', '--now', NOW], dir]);
      fresh();
      const buildStages = stageTimings(measure([CLI, 'build', '--now', NOW, '--timings'], dir).stderr);
      log(`${n} tables: floor ×${runs} …`);
      // The floor (floor.mjs): parser, parse-check and durable writes of this build's migrations, nothing else.
      const built = join(dir, 'out');
      let floors = 0;
      const floorStages = [];
      const floor = repeat(
        runs,
        () => spawnSync('sync', [], { stdio: 'ignore' }),
        () => [[FLOOR, built, join(work, `t${n}-floor${++floors}`)], work],
      );
      for (const run of floor.stdout) floorStages.push(JSON.parse(run));
      log(`${n} tables: check ×${runs} …`);
      const check = repeat(runs, null, () => [[CLI, 'check'], dir]);
      const checkStages = stageTimings(measure([CLI, 'check', '--timings'], dir).stderr);
      results.sizes.push({ ...g, runs, build, floor: { wall: floor.wall, rss: floor.rss, stages: floorStages }, check, buildStages, checkStages });
    }
  } finally {
    if (!opts.keep) rmSync(work, { recursive: true, force: true });
    else log(`projects kept in ${work}`);
  }
  print(results);
  if (opts.json) process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  // verify beside an application's load needs a server: ./verify-load.mjs.
  if (opts.verify && process.env.PAMC_TEST_DATABASE_URL) spawnSync(process.execPath, [VERIFY_LOAD, ...(opts.json ? ['--json'] : [])], { stdio: 'inherit' });
  else if (opts.verify) log('verify beside an application: set PAMC_TEST_DATABASE_URL to run tests/bench/verify-load.mjs too');
}

function print(results) {
  const b = results.baseline;
  const out = [];
  out.push(`node ${results.machine.node}, ${results.machine.cpus}, peak RSS via ${results.machine.peakRss}`);
  out.push('');
  out.push(
    table(
      ['process', 'runs', 'min', 'median', 'max', 'peak RSS (median)'],
      [
        ['node -e 0', b.node.wall.n, fmt(b.node.wall.min), fmt(b.node.wall.median), fmt(b.node.wall.max), fmtMb(b.node.rss.median)],
        [
          'pamc check (bundled spec)',
          b.bundledCheck.wall.n,
          fmt(b.bundledCheck.wall.min),
          fmt(b.bundledCheck.wall.median),
          fmt(b.bundledCheck.wall.max),
          fmtMb(b.bundledCheck.rss.median),
        ],
        [
          'pamc check, no fragment cache',
          b.bundledCheckNoCache.wall.n,
          fmt(b.bundledCheckNoCache.wall.min),
          fmt(b.bundledCheckNoCache.wall.median),
          fmt(b.bundledCheckNoCache.wall.max),
          fmtMb(b.bundledCheckNoCache.rss.median),
        ],
      ],
    ),
  );
  out.push(
    `bundled check / node start-up (medians): ${(b.bundledCheck.wall.median / b.node.wall.median).toFixed(2)}× (without the fragment cache: ${(b.bundledCheckNoCache.wall.median / b.node.wall.median).toFixed(2)}×)`,
  );
  out.push('');
  if (results.verify) {
    const median = (runs, key) => stats(runs.stages.map((t) => t[key] ?? 0)).median;
    const row = (name, r) => [
      name,
      r.wall.n,
      fmt(r.wall.min),
      fmt(r.wall.median),
      fmt(r.wall.max),
      fmt(median(r, 'start')),
      fmt(median(r, 'apply')),
      fmt(median(r, 'probes')),
      fmtMb(r.rss.median),
    ];
    out.push(
      table(
        ['pamc verify (bundled spec)', 'runs', 'min', 'median', 'max', 'start (median)', 'apply', 'probes', 'peak RSS'],
        [row('fresh initdb (PAMC_PGLITE_CACHE=0)', results.verify.cold), row('saved data directory', results.verify.warm)],
      ),
    );
    out.push('');
  }
  const rows = [];
  for (const s of results.sizes) {
    for (const [cmd, r] of [
      ['build', s.build],
      ['floor (floor.mjs)', s.floor],
      ['check', s.check],
    ]) {
      rows.push([s.tables, s.features, cmd, r.wall.n, fmt(r.wall.min), fmt(r.wall.median), fmt(r.wall.max), fmtMb(r.rss.max)]);
    }
  }
  out.push(table(['tables', 'features', 'command', 'runs', 'min', 'median', 'max', 'peak RSS (max)'], rows));
  out.push('');
  out.push('the floor: what every build of the size must do, without the compile (medians of its own stage times, ms):');
  const floorRows = results.sizes.map((s) => {
    const median = (key) => stats(s.floor.stages.map((x) => x[key])).median;
    return [
      s.tables,
      s.floor.stages[0]?.migrations ?? '-',
      ...['read', 'parserLoad', 'parseCheck', 'write'].map((k) => median(k).toFixed(1)),
      fmt(s.floor.wall.median),
      fmt(s.build.wall.median - s.floor.wall.median),
    ];
  });
  out.push(table(['tables', 'migrations', 'read', 'parser-load', 'parse-check', 'write', 'floor (process)', 'build − floor'], floorRows));
  out.push('');
  // parse-worker runs on another thread, at the same time as write and parse-check: it is not in the sum.
  const stages = ['read', 'parser-load', 'load', 'validate', 'model', 'diff', 'rules', 'emit', 'lock', 'parse-check', 'write', 'parse-worker'];
  const stageRows = [];
  for (const s of results.sizes) {
    for (const [cmd, t] of [
      ['build', s.buildStages],
      ['check', s.checkStages],
    ]) {
      stageRows.push([
        s.tables,
        cmd,
        ...stages.map((k) => (t[k] === undefined ? '-' : t[k].toFixed(1))),
        Object.entries(t)
          .filter(([k]) => k !== 'parse-worker')
          .reduce((a, [, x]) => a + x, 0)
          .toFixed(1),
      ]);
    }
  }
  out.push('per stage, ms (one run with --timings):');
  out.push(table(['tables', 'command', ...stages, 'sum'], stageRows));
  if (results.sizes.length > 1) {
    out.push('');
    out.push('per table, µs (median wall time / tables; stages from the --timings run):');
    const perRows = results.sizes.map((s) => [
      s.tables,
      ((1000 * s.build.wall.median) / s.tables).toFixed(0),
      ((1000 * s.check.wall.median) / s.tables).toFixed(0),
      ...stages.map((k) => (s.buildStages[k] === undefined ? '-' : ((1000 * s.buildStages[k]) / s.tables).toFixed(0))),
    ]);
    out.push(table(['tables', 'build', 'check', ...stages.map((k) => `build ${k}`)], perRows));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
