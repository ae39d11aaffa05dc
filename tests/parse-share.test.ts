/**
 * A large build parse-checks its migrations on two threads and writes the
 * copies in staging/ as hard links. Both must give exactly what the plain
 * path gives: the same errors for the same texts, the same files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProject, copyProject, pamc, ROOT } from './helpers/project.js';
import { manyFeaturesPhase } from './helpers/gen.js';
import { loadParser } from '../compiler/sql/parser.js';

// The worker is started from the compiled CLI: its module is dist/compiler/cli/parse-worker.js.
const { startParseHelper, wantsParseWorker, PARSE_WORKER_SPEC_CHARS } = (await import(
  join(ROOT, 'dist/compiler/cli/parse-share.js')
)) as typeof import('../compiler/cli/parse-share.js');

/** SQL texts, every `bad`-th of which does not parse. */
function texts(count: number, bad: number): string[] {
  return Array.from({ length: count }, (_, i) =>
    i % bad === bad - 1 ? `CREATE TABLE t${i} (id uuid,, x int);` : `CREATE TABLE t${i} (id uuid PRIMARY KEY, n int CHECK (n > ${i}));`,
  );
}

/** A parse helper whose worker has been stopped, and has had time to exit: this thread checks everything. */
async function stoppedHelper(): Promise<ReturnType<typeof startParseHelper>> {
  const helper = startParseHelper();
  helper.stop();
  await new Promise((r) => setTimeout(r, 200));
  return helper;
}

describe('the shared parse-check', () => {
  it('finds the same errors at the same indices as checking on one thread', async () => {
    const parser = await loadParser();
    const sqls = texts(400, 37);
    const expected = new Map(sqls.flatMap((s, i) => (parser.check(s) ? [[i, parser.check(s)]] : [])));
    expect(expected.size).toBe(10);
    const helper = startParseHelper();
    try {
      const { errors, first, workerMs } = await helper.check(sqls, parser, () => {
        // The worker is checking meanwhile; give it time to take some.
        const until = performance.now() + 30;
        while (performance.now() < until);
        return 'staged';
      });
      expect(workerMs).toBeGreaterThan(0);
      expect(first).toBe('staged');
      expect([...errors].sort(([a], [b]) => a - b)).toEqual([...expected].sort(([a], [b]) => a - b));
    } finally {
      helper.stop();
    }
  });

  it('checks everything on the main thread when the worker is gone', async () => {
    const parser = await loadParser();
    const sqls = texts(120, 7);
    const helper = await stoppedHelper();
    const { errors, workerMs } = await helper.check(sqls, parser, () => null);
    expect(workerMs).toBe(0);
    expect([...errors.keys()].sort((a, b) => a - b)).toEqual(sqls.flatMap((s, i) => (parser.check(s) ? [i] : [])));
    expect(errors.size).toBe(17);
  });

  it('gives the event loop a turn between batches, and runs `between` after each', async () => {
    const parser = await loadParser();
    const sqls = texts(200, 1000);
    const helper = await stoppedHelper();
    let settled = false;
    const seen: boolean[] = [];
    const { errors } = await helper.check(
      sqls,
      parser,
      () => void setImmediate(() => (settled = true)),
      () => seen.push(settled),
    );
    expect(errors.size).toBe(0);
    // 200 migrations on this thread, a turn every 32: six calls, each after the immediate has run.
    expect(seen).toEqual([true, true, true, true, true, true]);
  });
});

describe('when a build starts the parse worker', () => {
  it('starts it from 1.5 MiB of spec, unless PAMC_PARSE_WORKER says never (0) or always (1)', () => {
    expect(PARSE_WORKER_SPEC_CHARS).toBe(1.5 * 1024 * 1024);
    expect(wantsParseWorker(PARSE_WORKER_SPEC_CHARS - 1, undefined)).toBe(false);
    expect(wantsParseWorker(PARSE_WORKER_SPEC_CHARS, undefined)).toBe(true);
    expect(wantsParseWorker(PARSE_WORKER_SPEC_CHARS, '')).toBe(true);
    expect(wantsParseWorker(10 * PARSE_WORKER_SPEC_CHARS, '0')).toBe(false);
    expect(wantsParseWorker(0, '1')).toBe(true);
  });
});

describe('a build with the parse worker', () => {
  let project: { dir: string; cleanup: () => void };
  beforeAll(() => {
    project = copyProject();
    // 800 features: a spec below the size that starts the worker by itself, so the build is told to.
    writeFileSync(join(project.dir, 'schema', 'phase-100-bulk.yaml'), manyFeaturesPhase(800));
  });
  afterAll(() => project.cleanup());

  it('writes what the in-process compile plans, byte for byte, and check passes', async () => {
    const spec = readdirSync(join(project.dir, 'schema')).reduce((n, f) => n + readFileSync(join(project.dir, 'schema', f), 'utf8').length, 0);
    expect(wantsParseWorker(spec, undefined)).toBe(false);
    const planned = await compileProject(project.dir);
    expect(planned.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(planned.files.size).toBe(1 + 2 * 800);

    const r = pamc(project.dir, ['build', '--timings'], { PAMC_PARSE_WORKER: '1' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/^error/m);
    // The worker took part: it reports the time it spent checking.
    expect(r.stderr).toMatch(/^timing parse-worker [1-9]/m);
    for (const [path, text] of planned.files) expect(readFileSync(join(project.dir, 'out', path), 'utf8'), path).toBe(text);
    expect(pamc(project.dir, ['check']).status).toBe(0);
  });

  it('makes each copy in staging/ a hard link to its production migration', () => {
    const staged = readdirSync(join(project.dir, 'out', 'staging')).filter((f) => f.includes('_bulk_'));
    expect(staged).toHaveLength(800);
    for (const f of staged) {
      const prod = statSync(join(project.dir, 'out', f));
      const copy = statSync(join(project.dir, 'out', 'staging', f));
      expect(copy.ino, f).toBe(prod.ino);
    }
  });
});
