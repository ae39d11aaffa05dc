/**
 * The fragment cache (compiler/cli/fragment-cache.ts): a `check` that finds
 * every answer in the cache runs without the SQL parser, and whatever the
 * cache holds (nothing, everything, part, garbage), `check` and `build` say
 * exactly what they say without it.
 */
import { describe, expect, test } from 'vitest';
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, pamc } from './helpers/project.js';

const OFF = { PAMC_FRAGMENT_CACHE: '0' };

function parserLoad(stderr: string): number {
  const m = /^timing parser-load ([0-9.]+) ms$/m.exec(stderr);
  expect(m, stderr).not.toBeNull();
  return Number(m![1]);
}

/** Output without the timing lines, which differ from run to run. */
function said(r: { status: number; stdout: string; stderr: string }): string {
  return `${r.status}\n${r.stdout}\n${r.stderr.replace(/^timing .*\n/gm, '')}`;
}

function cacheFiles(dir: string): string[] {
  const at = join(dir, 'node_modules', '.cache', 'pamc');
  try {
    return readdirSync(at)
      .filter((f) => f.startsWith('fragments-'))
      .map((f) => join(at, f));
  } catch {
    return [];
  }
}

describe('fragment cache', () => {
  test('a second check needs no parser, and says what a check without the cache says', () => {
    const { dir, cleanup } = copyProject();
    try {
      mkdirSync(join(dir, 'node_modules'));
      const uncached = pamc(dir, ['check', '--timings'], OFF);
      expect(uncached.status).toBe(0);
      const first = pamc(dir, ['check', '--timings']);
      expect(parserLoad(first.stderr)).toBeGreaterThan(0);
      expect(cacheFiles(dir)).toHaveLength(1);
      const second = pamc(dir, ['check', '--timings']);
      expect(parserLoad(second.stderr)).toBe(0);
      expect(said(second)).toBe(said(uncached));
      expect(said(first)).toBe(said(uncached));
    } finally {
      cleanup();
    }
  }, 60_000);

  test('a project without node_modules has no cache', () => {
    const { dir, cleanup } = copyProject();
    try {
      pamc(dir, ['check']);
      const again = pamc(dir, ['check', '--timings']);
      expect(parserLoad(again.stderr)).toBeGreaterThan(0);
      expect(cacheFiles(dir)).toEqual([]);
    } finally {
      cleanup();
    }
  }, 60_000);

  test('new fragments, fragment errors, a new feature and a damaged cache: the same diagnostics as without it', () => {
    const { dir, cleanup } = copyProject();
    try {
      mkdirSync(join(dir, 'node_modules'));
      pamc(dir, ['check']);
      // A new feature: fragments the cache has never seen, one of them wrong, and a migration to parse.
      appendFileSync(
        join(dir, 'schema', 'phase-7-testing-tables.yaml'),
        [
          '  pam_cache_probe:',
          '    tables:',
          '      pam_cache_probe:',
          '        columns:',
          '          id:     { type: uuid, primary_key: true, default: gen_random_uuid() }',
          '          user_id: { type: uuid, not_null: true, references: auth.users(id) }',
          '          amount: { type: "numeric(10,3)", check: "amount > 0 AND amount <" }',
          '          size:   { type: "varchar(12)", default: "\'small\'" }',
          '        rls: { owner: user_id, allow: [select] }',
          '',
        ].join('\n'),
      );
      const expected = said(pamc(dir, ['check', '--timings'], OFF));
      expect(expected).toContain('amount > 0 AND amount <');
      expect(said(pamc(dir, ['check', '--timings']))).toBe(expected);
      expect(said(pamc(dir, ['check', '--timings']))).toBe(expected);
      // Fixed: now the feature is new and valid (stale output), then built, then checked.
      const file = join(dir, 'schema', 'phase-7-testing-tables.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('amount > 0 AND amount <', 'amount > 0 AND amount < 1000'));
      const stale = said(pamc(dir, ['check', '--timings'], OFF));
      expect(said(pamc(dir, ['check', '--timings']))).toBe(stale);
      expect(pamc(dir, ['build', '--timings']).status).toBe(0);
      const clean = said(pamc(dir, ['check', '--timings'], OFF));
      expect(said(pamc(dir, ['check', '--timings']))).toBe(clean);
      // A damaged cache is read as none.
      for (const f of cacheFiles(dir)) writeFileSync(f, '{"format":1,"entries":[["type\\u0000uuid"');
      expect(said(pamc(dir, ['check', '--timings']))).toBe(clean);
      // So are entries of the wrong shape.
      for (const f of cacheFiles(dir))
        writeFileSync(
          f,
          JSON.stringify({
            format: 1,
            entries: [
              ['type\u0000uuid', 5],
              ['expr\u0000now()', { error: null }],
              ['type\u0000text', { canonical: 'int4' }, 1],
            ],
          }),
        );
      expect(said(pamc(dir, ['check', '--timings']))).toBe(clean);
    } finally {
      cleanup();
    }
  }, 60_000);
});
