/**
 * Crash safety, with real processes: a `pamc build` of many new features is
 * killed with SIGKILL at chosen moments (anywhere, while it writes a
 * temporary file, between its first migration and its lock), and two builds
 * are started at once in the same project.
 *
 * After a kill, out/ must hold the old state or the new one as far as pamc
 * is concerned: the lock is the old one or the complete new one, every file
 * it lists is intact, and whatever an interrupted build left (temporary
 * files, migrations the lock does not list) is named by `pamc check` and
 * removed by the next `pamc build`, which then writes exactly what an
 * uninterrupted build writes. Two builds at once never interleave: one
 * writes, the other waits for the build lock and then finds everything up to
 * date. A build lock left by a killed process is taken over once stale (the
 * kill tests remove it themselves, to spare the wait; one test waits).
 *
 * PAMC_CRASH_RUNS sets the number of kills (default 2: between the first migration and the lock, and while a temporary file is written;
 * `npm run test:long` runs more); PAMC_CRASH_SEED the seed of the kill times (printed with the outcomes).
 */
import { parseLock } from '../compiler/lock/index.js';
import { migrationPaths } from '../compiler/plan/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, copyProject, snapshot } from './helpers/project.js';
import { manyFeaturesPhase, seededDraw } from './helpers/gen.js';

const RUNS = Number(process.env.PAMC_CRASH_RUNS ?? 2);
/** When each kill lands, drawn from a seeded PRNG (PAMC_CRASH_SEED, else random; printed with the outcomes). */
const SEED = Number(process.env.PAMC_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31));
const draw = seededDraw(SEED);
const fraction = (): number => draw.int(0, 999_999) / 1_000_000;
const FEATURES = 150;
const ENV = { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' };
const HANG_GUARD_MS = 60_000;

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function pamcSync(cwd: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: ENV, timeout: HANG_GUARD_MS, killSignal: 'SIGKILL' });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** Starts `pamc build`; `done` resolves when it exits. */
function startBuild(cwd: string, env: NodeJS.ProcessEnv = ENV): { pid: number; kill: () => void; done: Promise<Run> } {
  const child = spawn(process.execPath, [CLI, 'build'], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (status, signal) => resolve({ status, signal, stdout, stderr })));
  return { pid: child.pid!, kill: () => child.kill('SIGKILL'), done };
}

function lockedFiles(lockText: string): string[] {
  return parseLock({ path: 'pamc.lock', text: lockText }).lock.entries.flatMap((m) => migrationPaths(m.file, m.environments));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let base: { dir: string; cleanup: () => void };
let before: Record<string, string>;
let after: Record<string, string>;
let oldLock: string;
let newLock: string;
let buildMs = 0;

beforeAll(() => {
  base = copyProject();
  writeFileSync(join(base.dir, 'schema', 'phase-100-bulk.yaml'), manyFeaturesPhase(FEATURES));
  before = snapshot(join(base.dir, 'out'));
  oldLock = readFileSync(join(base.dir, 'out', 'pamc.lock'), 'utf8');
  // The reference: the same build, never interrupted.
  const ref = mkdtempSync(join(tmpdir(), 'pamc-ref-'));
  try {
    cpSync(base.dir, ref, { recursive: true });
    const t0 = performance.now();
    const r = pamcSync(ref, ['build']);
    buildMs = performance.now() - t0;
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(FEATURES);
    after = snapshot(join(ref, 'out'));
    newLock = readFileSync(join(ref, 'out', 'pamc.lock'), 'utf8');
  } finally {
    rmSync(ref, { recursive: true, force: true });
  }
  expect(Object.keys(after).filter((p) => !(p in before))).toHaveLength(2 * FEATURES);
}, 120_000);
afterAll(() => base?.cleanup());

function freshCopy(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-crash-'));
  cpSync(base.dir, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('a build killed at any moment', () => {
  const outcomes: Record<string, number> = {};
  afterAll(() =>
    console.log(
      `crash (seed ${SEED}; PAMC_CRASH_SEED=${SEED} draws the same kill points): ${RUNS} kills of a ${FEATURES}-feature build (${Math.round(buildMs)} ms uninterrupted): ${JSON.stringify(outcomes)}`,
    ),
  );

  for (let i = 0; i < RUNS; i++) {
    // A third of the kills land anywhere in the run; a third just after the build's first temporary file;
    // a third as soon as the first migration is renamed into place (between that and the lock).
    const strategy = (['while renaming', 'while writing', 'anywhere'] as const)[i % 3]!;
    it(`kill ${i + 1} (${strategy}) leaves the old state or the new one, and the next build finishes the job`, { timeout: 4 * HANG_GUARD_MS }, async () => {
      const p = freshCopy();
      try {
        const out = join(p.dir, 'out');
        const build = startBuild(p.dir);
        if (strategy === 'anywhere') {
          await sleep(fraction() * buildMs * 1.2);
        } else {
          const names = new Set(readdirSync(out));
          const fresh = strategy === 'while writing' ? (n: string): boolean => /\.sql\.\d+$/.test(n) : (n: string): boolean => n.endsWith('.sql');
          const deadline = performance.now() + HANG_GUARD_MS;
          // Poll without yielding to timers: the renames of a whole build take a few milliseconds.
          while (!readdirSync(out).some((n) => !names.has(n) && fresh(n)) && performance.now() < deadline) await new Promise((r) => setImmediate(r));
          if (strategy === 'while writing') await sleep(fraction() * 40);
        }
        build.kill();
        const killed = await build.done;
        // The killed build's lock would be taken over once stale (10 s; the last test shows it): remove it as that would.
        rmSync(join(out, '.pamc-build.lock'), { recursive: true, force: true });

        // What is left: the lock is the old one or the whole new one, and every file it lists is intact.
        const left = snapshot(out);
        const lock = readFileSync(join(out, 'pamc.lock'), 'utf8');
        expect([oldLock, newLock]).toContain(lock);
        for (const f of lockedFiles(lock)) expect(left[f], f).toBe(after[f]);
        const extra = Object.keys(left).filter((f) => !(f in (lock === newLock ? after : before)) && !f.startsWith('.pamc-build.lock'));
        const outcome =
          lock === newLock
            ? killed.status === 0
              ? 'finished before the kill'
              : 'killed after the lock'
            : extra.some((f) => f.endsWith('.sql'))
              ? 'killed between the first rename and the lock'
              : extra.length
                ? 'killed while writing temporary files'
                : 'killed before writing';
        outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;

        // check judges it: clean when committed; otherwise the new features are not built, and any
        // migration the interrupted build left is named, never taken for a hand-written one.
        const check = pamcSync(p.dir, ['check', '--format', 'json']);
        expect(check.signal).toBeNull();
        const found = JSON.parse(check.stdout) as { diagnostics: Array<{ rule: string; severity: string; message: string }> };
        const errors = found.diagnostics.filter((d) => d.severity === 'error');
        if (lock === newLock && !extra.some((f) => f.endsWith('.sql'))) {
          expect(errors).toEqual([]);
          expect(check.status).toBe(0);
        } else {
          expect(check.status).toBe(1);
          expect([...new Set(errors.map((d) => d.rule))]).toEqual(['stale-output']);
          for (const f of extra.filter((x) => x.endsWith('.sql')))
            expect(
              errors.some((d) => d.message.includes(`out/${f} `)),
              `check names out/${f}`,
            ).toBe(true);
        }

        // The next build removes what the interrupted one left and writes exactly what one uninterrupted build writes.
        const next = pamcSync(p.dir, ['build']);
        expect(next.status, next.stderr).toBe(0);
        expect(snapshot(out)).toEqual(after);
        expect(pamcSync(p.dir, ['check']).status).toBe(0);
      } finally {
        p.cleanup();
      }
    });
  }
});

describe('two builds started at once', () => {
  for (let i = 0; i < Math.max(1, Math.round(RUNS / 3)); i++) {
    it(`race ${i + 1}: one writes, the other waits for it and finds nothing to do; the result is one clean build`, { timeout: 4 * HANG_GUARD_MS }, async () => {
      const p = freshCopy();
      try {
        const a = startBuild(p.dir);
        const b = startBuild(p.dir);
        const runs = await Promise.all([a.done, b.done]);
        const statuses = runs.map((r) => r.status).sort();
        expect(statuses).toEqual([0, 0]);
        const writers = runs.filter((r) => r.status === 0 && r.stdout.includes('wrote '));
        expect(writers).toHaveLength(1);
        expect(writers[0]!.stdout.trim().split('\n')).toHaveLength(FEATURES);
        for (const r of runs.filter((x) => x !== writers[0])) {
          expect(r.stdout).toMatch(/up to date/);
          expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
        }
        expect(snapshot(join(p.dir, 'out'))).toEqual(after);
        expect(pamcSync(p.dir, ['check']).status).toBe(0);
      } finally {
        p.cleanup();
      }
    });
  }
});

describe('the build lock', () => {
  it('left by a killed build is taken over once stale, and the next build finishes the job', { timeout: 2 * HANG_GUARD_MS }, async () => {
    const p = freshCopy();
    try {
      const build = startBuild(p.dir);
      const lockDir = join(p.dir, 'out', '.pamc-build.lock');
      const deadline = performance.now() + HANG_GUARD_MS;
      while (!existsSync(lockDir) && performance.now() < deadline) await new Promise((r) => setImmediate(r));
      build.kill();
      await build.done;
      expect(existsSync(lockDir)).toBe(true);
      const r = pamcSync(p.dir, ['build']);
      expect(r.status, r.stderr).toBe(0);
      expect(existsSync(lockDir)).toBe(false);
      expect(snapshot(join(p.dir, 'out'))).toEqual(after);
    } finally {
      p.cleanup();
    }
  });
});
