/**
 * Reading the lock: a lock exactly as pamc writes it is read without the
 * YAML parser, and must come out as the general path reads it, spans
 * included.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chainHash, parseLock, renderLock, type LockEntry } from '../compiler/lock/index.js';
import { ROOT } from './helpers/fixtures.js';

/** The same text, no longer byte for byte canonical, with every offset unchanged: the general path reads it. */
function general(text: string): string {
  expect(text.endsWith('\n')).toBe(true);
  return `${text.slice(0, -1)} `;
}

describe('lock', () => {
  const bundled = readFileSync(join(ROOT, 'out/pamc.lock.json'), 'utf8');

  test('the bundled lock reads the same on both paths', () => {
    const fast = parseLock({ path: 'out/pamc.lock.json', text: bundled });
    const slow = parseLock({ path: 'out/pamc.lock.json', text: general(bundled) });
    expect(fast.problems).toEqual([]);
    expect(slow.problems).toEqual([]);
    expect(fast.lock.entries.length).toBeGreaterThan(0);
    expect(fast.lock).toEqual(slow.lock);
  });

  test('a lock whose snapshots hold look-alike keys and strings reads the same on both paths', () => {
    const entries = (JSON.parse(bundled) as { migrations: LockEntry[] }).migrations.map((e, i) => ({
      ...e,
      spec: { ...e.spec, tables: { file: { columns: { file: { type: 'text', comment: `"file":"${e.file}","file": "${e.file}"\n      "file": x` } } } }, n: i },
    }));
    const text = renderLock(entries);
    const fast = parseLock({ path: 'l.json', text });
    const slow = parseLock({ path: 'l.json', text: general(text) });
    expect(fast.problems).toEqual([]);
    expect(fast.lock).toEqual(slow.lock);
  });

  test('is written one migration per line, in the canonical JSON the chain hashes', () => {
    const lines = bundled.split('\n');
    const body = JSON.parse(bundled) as { migrations: LockEntry[] };
    expect(lines.slice(0, 4)).toEqual(['{', '  "pamc": 1,', expect.stringMatching(/^ {2}"chain": "[0-9a-f]{64}",$/), '  "migrations": [']);
    expect(lines.slice(4, 4 + body.migrations.length).map((l) => JSON.parse(l.replace(/^ {4}/, '').replace(/,$/, '')) as LockEntry)).toEqual(body.migrations);
    expect((JSON.parse(bundled) as { chain: string }).chain).toBe(chainHash(body.migrations));
    expect(renderLock([])).toBe(`{\n  "pamc": 1,\n  "chain": "${chainHash([])}",\n  "migrations": []\n}\n`);
  });

  test('a lock in the earlier, pretty-printed layout is read through the general path, with the same entries', () => {
    const body = JSON.parse(bundled) as Record<string, unknown>;
    const pretty = `${JSON.stringify(body, null, 2)}\n`;
    const read = parseLock({ path: 'l.json', text: pretty });
    expect(read.problems).toEqual([]);
    expect(read.lock.entries).toEqual(parseLock({ path: 'l.json', text: bundled }).lock.entries);
    expect(read.lock.spans.map((s) => pretty.slice(s.start, s.end))).toEqual((body.migrations as LockEntry[]).map((e) => JSON.stringify(e.file)));
  });

  test('an edited lock still takes the general path and is refused', () => {
    const edited = bundled.replace('"phase":2', '"phase":3');
    expect(edited).not.toBe(bundled);
    expect(parseLock({ path: 'l.json', text: edited }).problems).toHaveLength(1);
    const duplicate = bundled.replace('"pamc": 1,', '"pamc": 1,\n  "pamc": 1,');
    expect(duplicate).not.toBe(bundled);
    expect(parseLock({ path: 'l.json', text: duplicate }).problems).toHaveLength(1);
  });
});
