/**
 * The lock file: format 2 (JSON Lines, one migration per line, in version
 * order) as pamc writes and reads it, what a git merge makes of it, and
 * format 1 (one JSON document), which is still read.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entryLine, parseLock, renderLock, type LockEntry } from '../compiler/lock/index.js';
import { ROOT } from './helpers/fixtures.js';

const bundled = readFileSync(join(ROOT, 'out/pamc.lock'), 'utf8');
const entries = parseLock({ path: 'out/pamc.lock', text: bundled }).lock.entries;

/** An entry like `e`, for another feature at another version. */
function another(e: LockEntry, feature: string, version: string): LockEntry {
  return { ...e, feature, version, file: `${version}_${feature}.sql` };
}

describe('lock, format 2', () => {
  test('the bundled lock is one header line and one line per migration, in version order, as pamc renders it', () => {
    const lines = bundled.split('\n');
    expect(lines[0]).toBe('{"pamc":2}');
    expect(lines.at(-1)).toBe('');
    expect(entries.length).toBe(lines.length - 2);
    expect(lines.slice(1, -1)).toEqual(entries.map(entryLine));
    expect(entries.map((e) => e.version)).toEqual(entries.map((e) => e.version).sort());
    expect(renderLock(entries)).toBe(bundled);
  });

  test('spans point at each entry’s file name', () => {
    const { lock } = parseLock({ path: 'out/pamc.lock', text: bundled });
    expect(lock.spans.map((s) => bundled.slice(s.start, s.end))).toEqual(entries.map((e) => JSON.stringify(e.file)));
  });

  test('what a union merge makes of two branches that each added a line reads as both, in version order', () => {
    const ours = another(entries[0]!, 'convoys', '20270101000000');
    const theirs = another(entries[0]!, 'campgrounds', '20261231000000');
    const merged = `${renderLock([...entries, ours])}${entryLine(theirs)}\n`;
    const read = parseLock({ path: 'l', text: merged });
    expect(read.problems).toEqual([]);
    expect(read.lock.entries.map((e) => e.feature).slice(-2)).toEqual(['campgrounds', 'convoys']);
    expect(renderLock(read.lock.entries)).toBe(renderLock([...entries, theirs, ours]));
    // The same line twice (both sides kept an identical line) is one entry.
    expect(parseLock({ path: 'l', text: `${merged}${entryLine(theirs)}\n` }).lock.entries).toEqual(read.lock.entries);
  });

  test('conflict markers are a problem that says so, at their line', () => {
    const ours = entryLine(another(entries[0]!, 'convoys', '20270101000000'));
    const theirs = entryLine(another(entries[0]!, 'campgrounds', '20270101000000'));
    const text = `${renderLock(entries)}<<<<<<< HEAD\n${ours}\n=======\n${theirs}\n>>>>>>> main\n`;
    const { problems } = parseLock({ path: 'l', text });
    expect(problems).toHaveLength(1);
    expect(problems[0]!.kind).toBe('conflict');
    expect(problems[0]!.message).toBe(`the lock has git conflict markers (line ${entries.length + 2}): a merge left it unresolved`);
    expect(text.slice(problems[0]!.span.start, problems[0]!.span.end)).toBe('<<<<<<< HEAD');
  });

  test('a feature listed twice with different records is a problem, and the later version is kept', () => {
    const later = another(entries[0]!, entries[0]!.feature, '20991231000000');
    const twice = parseLock({ path: 'l', text: `${renderLock(entries)}${entryLine(later)}\n` });
    expect(twice.problems.map((p) => [p.kind, p.duplicate, p.message])).toEqual([
      [
        'duplicate',
        entries[0]!.feature,
        `the lock lists feature \`${entries[0]!.feature}\` twice (lines 2 and ${entries.length + 2}): a merge or rebase kept two versions of its migration`,
      ],
    ]);
    expect(twice.lock.entries.find((e) => e.feature === entries[0]!.feature)).toEqual(later);
    expect(twice.lock.entries).toHaveLength(entries.length);
  });

  test('a line that is not a record, a foreign header: refused', () => {
    expect(parseLock({ path: 'l', text: `${renderLock(entries)}{"feature":1}\n` }).problems[0]!.message).toBe(
      `line ${entries.length + 2} of the lock is not a migration record`,
    );
    expect(parseLock({ path: 'l', text: `{"pamc":3}\n` }).problems[0]!.message).toMatch(/does not start with \{"pamc":2\}/);
  });
});

describe('lock, format 1', () => {
  test('a lock of format 1 is read with the same entries, and known as such', () => {
    const legacy = `${JSON.stringify({ pamc: 1, chain: '0'.repeat(64), migrations: entries }, null, 2)}\n`;
    const read = parseLock({ path: 'out/pamc.lock.json', text: legacy });
    expect(read.problems).toEqual([]);
    expect(read.lock.legacy).toBe(true);
    expect(read.lock.entries).toEqual(entries);
    expect(read.lock.spans.map((s) => legacy.slice(s.start, s.end))).toEqual(entries.map((e) => JSON.stringify(e.file)));
  });

  test('a format 1 lock that is not a lock is refused', () => {
    expect(parseLock({ path: 'l.json', text: '{\n  "pamc": 1\n}\n' }).problems).toHaveLength(1);
    expect(parseLock({ path: 'l.json', text: '{\n  "pamc": 1,\n' }).problems[0]!.message).toMatch(/not valid JSON/);
  });
});
