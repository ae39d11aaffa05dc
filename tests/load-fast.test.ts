/**
 * The fast path of the loader (compiler/load/fast.ts) against the general
 * one (the YAML library): whenever the fast path reads a text, it must build
 * exactly the tree the library-based path builds, every value and span the
 * same. Checked on every YAML file of the repository and on thousands of
 * generated documents, in the subset and just outside it.
 */
import { describe, expect, test } from 'vitest';
import { join } from 'node:path';
import { loadFast } from '../compiler/load/fast.js';
import { loadWithLibrary } from '../compiler/load/index.js';
import { readYamlTree, ROOT } from './helpers/fixtures.js';

/** Compares the two paths on one text; returns whether the fast path read it. */
function same(text: string, label = text): boolean {
  const fast = loadFast(text, 'f.yaml');
  if (fast === null) return false;
  const general = loadWithLibrary({ path: 'f.yaml', text });
  expect(general.diagnostics, `${label}\nthe fast path read a text the library refuses`).toEqual([]);
  expect(fast, label).toEqual(general.file?.root);
  return true;
}

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['a', 'id', 'user_id', 'auth.users(id)', 'gen_random_uuid()', 'now()', 'text[]', 'numeric(12,2)', 'x y', 'Pam 2.0', 'é', 'yes', 'no', 'on'];
const SCALARS = [
  '0',
  '7',
  '-1',
  '+3',
  '007',
  '1.5',
  '1e3',
  '0x1F',
  '.inf',
  '~',
  'null',
  'Null',
  'true',
  'False',
  'TRUE',
  '',
  '"q"',
  "'q'",
  "'it''s'",
  '"a # b"',
  '"x\\n"',
  'a:b',
  'a: b',
  'a #b',
  'a#b',
  '-x',
  '[',
  '&a',
  '*a',
  '!t x',
  '"',
  "'",
];

/** A document in (and, with `noise`, often just outside) the fast path's subset. */
function generate(rnd: () => number, noise: number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  const scalar = (flow: boolean): string => {
    if (!chance(noise)) return pick(WORDS.filter((w) => !flow || !/[[\],{}]/.test(w)));
    return pick(SCALARS);
  };
  const comment = (): string => (chance(0.15) ? `${' '.repeat(1 + Math.floor(rnd() * 3))}# ${pick(WORDS)}` : '');
  const flowNode = (depth: number): string => {
    const r = rnd();
    if (depth < 3 && r < 0.2) return `[${Array.from({ length: Math.floor(rnd() * 3) }, () => flowNode(depth + 1)).join(chance(0.9) ? ', ' : ',')}]`;
    if (depth < 3 && r < 0.4) {
      const keys = Array.from(
        { length: Math.floor(rnd() * 3) },
        (_, i) => `${chance(0.9) ? pick(['k', 'type', 'on_delete', 'x']) + i : pick(['"q"', "'q'", '1', 'true', 'null'])}: ${flowNode(depth + 1)}`,
      );
      return keys.length === 0 ? '{}' : `{ ${keys.join(', ')} }`;
    }
    return scalar(true);
  };
  const lines: string[] = [];
  const blank = (): void => {
    if (chance(0.1)) lines.push(chance(0.3) ? '  ' : '');
  };
  const commentLine = (indent: number): void => {
    if (chance(0.06)) lines.push(`${' '.repeat(chance(0.8) ? indent : Math.floor(rnd() * 6))}# note`);
  };
  const literal = (indent: number): string => {
    const header = chance(noise) ? pick(['>', '|2', '>-']) : pick(['|', '|-', '|+', '| # c']);
    const n = indent + 2 + (chance(0.2) ? 1 : 0);
    const body: string[] = [];
    if (chance(0.2)) body.push('');
    for (let i = 0; i < 1 + Math.floor(rnd() * 3); i++) {
      body.push(`${' '.repeat(n + (chance(0.1) ? 2 : 0))}${pick(WORDS)}${chance(0.1) ? ' # not a comment' : ''}`);
      if (chance(0.2)) body.push(chance(0.5) ? '' : ' '.repeat(n));
    }
    if (chance(0.3)) body.push('');
    return `${header}\n${body.join('\n')}`;
  };
  const map = (indent: number, depth: number, compact: string | null): void => {
    const count = 1 + Math.floor(rnd() * 4);
    const used = new Set<string>();
    for (let i = 0; i < count; i++) {
      let key = !chance(noise / 6)
        ? pick(['phase', 'title', 'features', 'columns', 'id', 'type', 'rls', 'allow', 'k', 'auth.users', '1', 'true'])
        : pick(['"quoted"', "'q'", 'null', '-x', 'a b', '<<', '? x']);
      if (used.has(key) && chance(0.9)) key = `${key}_${i}`;
      used.add(key);
      const pad = i === 0 && compact !== null ? compact : ' '.repeat(indent);
      if (i > 0) {
        blank();
        commentLine(indent);
      }
      const r = rnd();
      if (depth < 4 && r < 0.25) {
        lines.push(`${pad}${key}:${comment()}`);
        blank();
        map(indent + (chance(0.9) ? 2 : 4), depth + 1, null);
      } else if (depth < 4 && r < 0.4) {
        lines.push(`${pad}${key}:${comment()}`);
        seq(chance(0.8) ? indent + 2 : indent, depth + 1);
      } else if (r < 0.5) {
        lines.push(`${pad}${key}: ${literal(indent)}`);
      } else if (r < 0.55) {
        lines.push(`${pad}${key}:${chance(0.5) ? '  ' : ''}${comment()}`);
      } else {
        lines.push(`${pad}${key}: ${chance(0.3) ? flowNode(0) : scalar(false)}${comment()}`);
      }
    }
  };
  const seq = (indent: number, depth: number): void => {
    const count = 1 + Math.floor(rnd() * 3);
    for (let i = 0; i < count; i++) {
      if (i > 0) commentLine(indent);
      const r = rnd();
      if (depth < 4 && r < 0.3) map(indent + 2, depth + 1, `${' '.repeat(indent)}- `);
      else lines.push(`${' '.repeat(indent)}- ${chance(0.4) ? flowNode(0) : scalar(false)}${comment()}`);
    }
  };
  if (chance(0.3)) lines.push('# yaml-language-server: $schema=../x.json');
  if (chance(noise / 8)) lines.push('---');
  map(0, 0, null);
  if (chance(0.1)) lines.push(chance(0.5) ? '# end' : '  # end');
  if (chance(0.1)) lines.push('');
  return lines.join('\n') + (chance(0.9) ? '\n' : '');
}

describe('fast loader', () => {
  test('reads every phase file of the repository as the YAML library does', () => {
    const schema = readYamlTree(join(ROOT, 'schema'), ROOT);
    const files = [...schema, ...readYamlTree(join(ROOT, 'tests/fixtures'), ROOT)];
    let read = 0;
    for (const f of files) if (same(f.text, f.path)) read++;
    for (const f of schema) expect(loadFast(f.text, f.path), f.path).not.toBeNull();
    expect(read).toBeGreaterThan(files.length / 2);
  });

  test.each([
    ['inside the subset', 0.02, 0.4],
    ['at its edges', 0.4, 0.1],
  ])('reads generated documents %s as the YAML library does, or leaves them to it', (_, noise, share) => {
    const rnd = random(20261125 + noise * 1000);
    let read = 0;
    const total = 1500;
    for (let i = 0; i < total; i++) if (same(generate(rnd, noise))) read++;
    expect(read).toBeGreaterThan(total * share);
  });

  test('leaves what is outside the subset to the YAML library', () => {
    for (const text of [
      'a: 1\r\nb: 2\r\n',
      'a:\t1\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: >\n  folded\n',
      'a: "x\\ty"\n',
      'a: "x\n  y"\n',
      'a: b\n  c\n',
      'a: [1,\n  2]\n',
      'a: 1\na: 2\n',
      '---\na: 1\n',
      'a: 1.5\n',
      'a: 0x10\n',
      'null: 1\n',
      'a: 1\n  # indented comment\nb: 2\n',
      '',
      '# only a comment\n',
      '- a\n',
      'a: "\u0000"\n',
    ]) {
      expect(loadFast(text, 'f.yaml'), JSON.stringify(text)).toBeNull();
    }
  });
});
