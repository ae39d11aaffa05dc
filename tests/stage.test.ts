/**
 * Writing a build in two halves (compiler/cli/stage.ts, io.ts): staged files
 * are invisible until the commit, copies become hard links, and a file is
 * never written over.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitStaged, discardStaged, stageFiles } from '../compiler/cli/stage.js';
import { IoError, planBuild, writeBuild } from '../compiler/cli/io.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pamc-stage-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const FILES: Array<[string, string]> = [
  ['20260101000000_a.sql', 'SELECT 1;\n'],
  ['20260101000001_b.sql', 'SELECT 2;\n'],
  ['staging/20260101000000_a.sql', 'SELECT 1;\n'],
  ['staging/20260101000001_b.sql', 'SELECT 2;\n'],
  ['staging/20260101000002_c.sql', 'SELECT 3;\n'],
];

describe('stageFiles and commitStaged', () => {
  it('stages only temporary files, then puts every file in place with its content', () => {
    const staged = stageFiles(dir, FILES);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sql'))).toEqual([]);
    expect(readdirSync(join(dir, 'staging')).filter((f) => f.endsWith('.sql'))).toEqual([]);
    // Copies are not written at all until the commit.
    expect(staged.filter((s) => 'copyOf' in s).map((s) => s.target)).toEqual([join(dir, 'staging/20260101000000_a.sql'), join(dir, 'staging/20260101000001_b.sql')]);
    commitStaged(staged);
    for (const [rel, content] of FILES) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
    expect(statSync(join(dir, 'staging/20260101000000_a.sql')).ino).toBe(statSync(join(dir, '20260101000000_a.sql')).ino);
    expect(statSync(join(dir, 'staging/20260101000002_c.sql')).nlink).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(dir, 'staging')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a copy whose original cannot be linked', () => {
    const target = join(dir, 'staging', 'x.sql');
    mkdirSync(join(dir, 'staging'));
    commitStaged([{ target, copyOf: join(dir, 'gone.sql'), content: 'SELECT 4;\n' }]);
    expect(readFileSync(target, 'utf8')).toBe('SELECT 4;\n');
    expect(readdirSync(join(dir, 'staging'))).toEqual(['x.sql']);
  });

  it('leaves nothing behind when the build is not committed', () => {
    discardStaged(stageFiles(dir, FILES));
    expect(readdirSync(dir)).toEqual(['staging']);
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
  });
});

describe('planBuild', () => {
  it('refuses to write over a file, also one whose name differs only in case', () => {
    writeFileSync(join(dir, '20260101000001_B.sql'), '-- by hand\n');
    const files = new Map(FILES);
    expect(() => planBuild(dir, files)).toThrow(IoError);
    expect(() => writeBuild(dir, files)).toThrow(/already exists; pamc never rewrites a migration/);
    expect(readFileSync(join(dir, '20260101000001_B.sql'), 'utf8')).toBe('-- by hand\n');
    expect(readdirSync(dir)).toEqual(['20260101000001_B.sql']);
  });
});
