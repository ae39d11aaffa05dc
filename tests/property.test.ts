/**
 * Property tests on generated specs (tests/helpers/gen.ts), through the pure
 * core and, for a share of the cases, on the embedded PostgreSQL:
 *
 * - a random valid spec builds with no error, every file it writes parses,
 *   a second build against what the first wrote changes nothing (check
 *   semantics), and the whole set applies to PGlite, twice, with a catalog
 *   that matches the spec (verify);
 * - a random destructive edit of a built spec is refused, by the rule the
 *   edit is about;
 * - a random additive edit passes and adds exactly one migration.
 *
 * Seeded and reproducible: PAMC_PROPERTY_SEED (default: random, printed),
 * PAMC_PROPERTY_RUNS (pure cases per property, default 80) and
 * PAMC_PROPERTY_DB_RUNS (PGlite cases, default 8). A failure prints the
 * seed and the generated phase files. `npm run test:long` runs many more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compile, migrationPaths, staleOutput, type CompileOutput } from '../compiler/compile.js';
import { loadParser, type SqlParser } from '../compiler/sql/parser.js';
import { checkType } from '../compiler/sql/fragments.js';
import { LOCK_FILE } from '../compiler/lock/index.js';
import type { SourceFile } from '../compiler/report/diagnostic.js';
import { openEmbedded, type Connection } from '../compiler/verify/db.js';
import { verify } from '../compiler/verify/index.js';
import { migrationSet } from '../compiler/verify/expected.js';
import {
  addFeature,
  cloneSpec,
  describeSpec,
  drawFrom,
  genSpec,
  mutate,
  MUTATIONS,
  seededDraw,
  toSources,
  type Addition,
  type GSpec,
  type MutationKind,
} from './helpers/gen.js';

const env = (name: string, fallback: number): number => {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, not ${v}`);
  return n;
};
const SEED = env('PAMC_PROPERTY_SEED', (Math.random() * 2 ** 31) | 0);
const RUNS = env('PAMC_PROPERTY_RUNS', 80);
const DB_RUNS = env('PAMC_PROPERTY_DB_RUNS', 8);
const PINNED = new Date('2026-01-01T00:00:00Z');
/** Generous: a hang guard, scaled with the number of cases. */
const timeout = (cases: number, msPerCase: number): number => 60_000 + cases * msPerCase;

console.log(`property tests: PAMC_PROPERTY_SEED=${SEED} PAMC_PROPERTY_RUNS=${RUNS} PAMC_PROPERTY_DB_RUNS=${DB_RUNS}`);

let parser: SqlParser;
beforeAll(async () => {
  parser = await loadParser();
});

const params = (numRuns: number): fc.Parameters<[fc.GeneratorValue]> => ({ seed: SEED, numRuns, endOnFailure: false });

function canon(type: string): string {
  const r = checkType(parser, type);
  return 'canonical' in r ? r.canonical : type;
}

function build(spec: GSpec, prior: { lock: SourceFile | null; outFiles: Map<string, string> } = { lock: null, outFiles: new Map() }): CompileOutput {
  return compile({ sources: toSources(spec), lock: prior.lock, outDir: 'out', outFiles: prior.outFiles, now: PINNED, options: { prefix: 'pam_' } }, parser);
}

/** What `build` wrote, as the next compile reads it back. */
function written(out: CompileOutput): { lock: SourceFile | null; outFiles: Map<string, string> } {
  const text = out.files.get(LOCK_FILE);
  return { lock: text === undefined ? null : { path: `out/${LOCK_FILE}`, text }, outFiles: new Map([...out.files].filter(([p]) => p !== LOCK_FILE)) };
}

function errors(out: CompileOutput): string[] {
  return out.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.rule}: ${d.message}`);
}

/** Runs `body`; on failure, adds the generated phase files to the message. */
function explained<T>(spec: GSpec | null, body: () => T): T {
  try {
    return body();
  } catch (error) {
    if (spec && error instanceof Error) error.message += `\n\nGenerated spec (reproduce with PAMC_PROPERTY_SEED=${SEED}):\n${describeSpec(spec)}`;
    throw error;
  }
}

function readyFeatureNames(spec: GSpec): string[] {
  return [...spec.phases]
    .sort((a, b) => a.phase - b.phase)
    .filter((p) => p.status !== 'draft')
    .flatMap((p) => Object.keys(p.features));
}

describe('random valid specs', () => {
  it(`build with no error, parse, and rebuild to nothing new (${RUNS} cases)`, { timeout: timeout(RUNS, 150) }, () => {
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const spec = genSpec(drawFrom(g));
        explained(spec, () => {
          const out = build(spec);
          expect(errors(out)).toEqual([]);
          // Every ready feature is planned, in fold order; drafts never are.
          const ready = readyFeatureNames(spec);
          expect(out.plan.map((p) => p.feature)).toEqual(ready);
          expect(out.plan.every((p) => p.status === 'new')).toBe(true);
          // Exactly its migration paths, plus the lock.
          const expected = new Set(out.plan.flatMap((p) => migrationPaths(p.file, p.environments)));
          if (out.plan.length) expected.add(LOCK_FILE);
          expect(new Set(out.files.keys())).toEqual(expected);
          for (const [path, sql] of out.files) {
            if (path === LOCK_FILE) continue;
            const parsed = parser.parse(sql);
            expect(parsed.ok, `${path} does not parse: ${parsed.ok ? '' : parsed.error.message}`).toBe(true);
            if (parsed.ok) expect(parsed.statements.length).toBeGreaterThan(0);
            if (path.startsWith('staging/') && out.files.has(path.slice('staging/'.length))) expect(sql).toBe(out.files.get(path.slice('staging/'.length)));
          }
          // Deterministic, and a second build against what the first wrote changes nothing (check passes).
          expect([...build(spec).files]).toEqual([...out.files]);
          const prior = written(out);
          const again = build(spec, prior);
          expect(errors(again)).toEqual([]);
          expect(again.files.size).toBe(0);
          expect(staleOutput(again, prior.outFiles, 'out')).toEqual([]);
          expect(again.foreign).toEqual([]);
        });
      }),
      params(RUNS),
    );
  });
});

/** Probe failures docs/verify.md describes as the spec's doing, not verify's or pamc's. */
const EXPLAINED = [
  /PostgreSQL finds the rows of (UPDATE|DELETE) \.\.\. WHERE with the SELECT privilege and policies, and no rule lets user A select them/,
  /^could not insert a probe row: new row for relation "[^"]+" violates check constraint /,
  /: new row for relation "[^"]+" violates check constraint "[^"]+" \(23514\)$/,
];

describe('random valid specs on PostgreSQL (PGlite)', () => {
  let db: Connection;
  beforeAll(async () => {
    if (DB_RUNS > 0) db = await openEmbedded();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
  });

  it.skipIf(DB_RUNS === 0)(
    `apply twice and match the catalog, for production and staging (${DB_RUNS} cases)`,
    { timeout: timeout(DB_RUNS, 5_000) },
    async () => {
      let probes = 0;
      let explainedFailures = 0;
      await fc.assert(
        fc.asyncProperty(fc.gen(), async (g) => {
          const spec = genSpec(drawFrom(g));
          const first = build(spec);
          explained(spec, () => expect(errors(first)).toEqual([]));
          const prior = written(first);
          const out = build(spec, prior);
          for (const environment of ['production', 'staging'] as const) {
            const set = migrationSet(out.plan, environment, prior.outFiles, 'out');
            const report = await verify({ spec: out.spec!, environment, migrations: set.files }, { connection: db });
            explained(spec, () => {
              expect(set.missing).toEqual([]);
              expect(report.failure, `${environment}: a migration failed`).toBeNull();
              expect(report.drift.map((d) => `${environment}: ${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`)).toEqual([]);
              // Probes may only fail where docs/verify.md says they do: an owner rule that allows update or
              // delete without select finds no row, and a check that rejects verify's sample value stops the
              // probe row. Anything else is a bug.
              const unexplained = report.probes.filter((p) => !p.pass && !EXPLAINED.some((re) => re.test(p.detail ?? '')));
              expect(unexplained.map((p) => `${environment}: ${p.table} ${p.actor} ${p.operation}: ${p.detail}`)).toEqual([]);
              probes += report.probes.length;
              explainedFailures += report.probes.filter((p) => !p.pass).length;
            });
          }
        }),
        // Shrinking on PGlite costs a verify per step: report the first failing spec as it is.
        { ...params(DB_RUNS), endOnFailure: true },
      );
      console.log(
        `PGlite: ${DB_RUNS} specs, ${probes} probes, ${explainedFailures} failed as docs/verify.md says they do (update or delete without select, a check that rejects the sample value)`,
      );
    },
  );
});

describe('edits of a built spec', () => {
  it(`refuse every destructive edit with the rule it is about (${RUNS} cases)`, { timeout: timeout(RUNS, 150) }, () => {
    const seen = new Map<MutationKind, number>();
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const d = drawFrom(g);
        const spec = genSpec(d);
        const first = build(spec);
        const kind = d.pick(MUTATIONS);
        const edited = cloneSpec(spec);
        const mutation = mutate(edited, kind, d, canon);
        fc.pre(mutation !== null && errors(first).length === 0);
        seen.set(kind, (seen.get(kind) ?? 0) + 1);
        explained(edited, () => {
          const out = build(edited, written(first));
          const rules = out.diagnostics.filter((x) => x.severity === 'error').map((x) => x.rule);
          expect(rules, `${mutation!.what} must be refused with ${mutation!.rule}; got ${errors(out).join('; ') || 'no error'}`).toContain(mutation!.rule);
          expect(out.files.size).toBe(0);
        });
      }),
      { ...params(RUNS), maxSkipsPerRun: 1000 },
    );
    console.log(`destructive edits (${RUNS}): ${MUTATIONS.map((k) => `${k} ${seen.get(k) ?? 0}`).join(', ')}`);
  });

  it('refuse each kind of destructive edit at least once (deterministic: the first generated spec it applies to)', { timeout: 60_000 }, () => {
    for (const kind of MUTATIONS) {
      let done = false;
      for (let seed = 1; seed <= 500 && !done; seed++) {
        const d = seededDraw(seed);
        const spec = genSpec(d);
        const first = build(spec);
        const edited = cloneSpec(spec);
        const mutation = mutate(edited, kind, d, canon);
        if (!mutation || errors(first).length) continue;
        done = true;
        explained(edited, () => {
          const out = build(edited, written(first));
          expect(
            out.diagnostics.filter((x) => x.severity === 'error').map((x) => x.rule),
            `${mutation.what}: ${errors(out).join('; ') || 'no error'}`,
          ).toContain(mutation.rule);
        });
      }
      expect(done, `no generated spec of seeds 1-500 has something \`${kind}\` applies to`).toBe(true);
    }
  });

  it(`accept every additive edit as exactly one new migration (${RUNS} cases)`, { timeout: timeout(RUNS, 150) }, () => {
    const seen = new Map<Addition['kind'], number>();
    fc.assert(
      fc.property(fc.gen(), (g) => {
        const d = drawFrom(g);
        const spec = genSpec(d);
        const first = build(spec);
        const edited = cloneSpec(spec);
        const addition = addFeature(edited, d.pick(['new-table', 'add-column', 'add-permission'] as const), d);
        fc.pre(addition !== null && errors(first).length === 0);
        seen.set(addition!.kind, (seen.get(addition!.kind) ?? 0) + 1);
        explained(edited, () => {
          const prior = written(first);
          const out = build(edited, prior);
          expect(errors(out), addition!.what).toEqual([]);
          const fresh = out.plan.filter((p) => p.status === 'new');
          expect(fresh.map((p) => p.feature)).toEqual([addition!.feature]);
          expect(fresh[0]!.environments).toEqual(addition!.staging ? ['staging'] : ['production', 'staging']);
          expect(out.plan.filter((p) => p.status === 'emitted').map((p) => p.feature)).toEqual(first.plan.map((p) => p.feature));
          expect(new Set(out.files.keys())).toEqual(new Set([LOCK_FILE, ...migrationPaths(fresh[0]!.file, fresh[0]!.environments)]));
          // The new version comes after every shipped one.
          expect(first.plan.every((p) => p.version < fresh[0]!.version)).toBe(true);
        });
      }),
      { ...params(RUNS), maxSkipsPerRun: 1000 },
    );
    console.log(`additive edits (${RUNS}): ${[...seen].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  });
});
