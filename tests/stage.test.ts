/**
 * Writing a build in two halves (compiler/cli/stage.ts, io.ts): staged files
 * are invisible until the commit, copies become hard links, and a file is
 * never written over.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { discardStaged, placeStaged, stageFiles } from '../compiler/cli/stage.js';
import { BuildWrite, commitBuild, IoError, JOURNAL, planBuild, recoverBuild, stageBuild } from '../compiler/cli/io.js';
import { LOCK_FILE } from '../compiler/lock/index.js';

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

describe('stageFiles and placeStaged', () => {
  it('stages only temporary files, then puts every file in place with its content', async () => {
    const staged = stageFiles(dir, FILES);
    expect(readdirSync(dir).filter((f) => f.endsWith('.sql'))).toEqual([]);
    expect(readdirSync(join(dir, 'staging')).filter((f) => f.endsWith('.sql'))).toEqual([]);
    // Copies are not written at all until the commit.
    expect(staged.files.filter((s) => 'copyOf' in s).map((s) => s.target)).toEqual([
      join(dir, 'staging/20260101000000_a.sql'),
      join(dir, 'staging/20260101000001_b.sql'),
    ]);
    await staged.durable;
    placeStaged(staged.files);
    for (const [rel, content] of FILES) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
    expect(statSync(join(dir, 'staging/20260101000000_a.sql')).ino).toBe(statSync(join(dir, '20260101000000_a.sql')).ino);
    expect(statSync(join(dir, 'staging/20260101000002_c.sql')).nlink).toBe(1);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(readdirSync(join(dir, 'staging')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('writes a copy whose original cannot be linked', () => {
    const target = join(dir, 'staging', 'x.sql');
    mkdirSync(join(dir, 'staging'));
    placeStaged([{ target, copyOf: join(dir, 'gone.sql'), content: 'SELECT 4;\n' }]);
    expect(readFileSync(target, 'utf8')).toBe('SELECT 4;\n');
    expect(readdirSync(join(dir, 'staging'))).toEqual(['x.sql']);
  });

  it('leaves nothing behind when the build is not committed', () => {
    discardStaged(stageFiles(dir, FILES).files);
    expect(readdirSync(dir)).toEqual(['staging']);
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
  });
});

describe('stageBuild and commitBuild', () => {
  // Enough files for the flush to run as one `sync -f` in a child process on Linux (one fsync per file below 16).
  const many = new Map<string, string>();
  for (let i = 0; i < 40; i++) {
    const name = `202601010000${String(i).padStart(2, '0')}_f${i}.sql`;
    many.set(name, `SELECT ${i};\n`);
    many.set(`staging/${name}`, `SELECT ${i};\n`);
  }
  many.set(LOCK_FILE, '{"pamc": 1}\n');

  it('puts nothing in place when the flush failed, and removes what it staged', async () => {
    const staged = stageBuild(dir, planBuild(dir, many));
    await staged.stage.durable;
    const failed = { ...staged, stage: { ...staged.stage, durable: Promise.reject(new Error('flush failed: EIO')) } };
    await expect(commitBuild(dir, failed)).rejects.toThrow('flush failed: EIO');
    expect(readdirSync(dir)).toEqual(['staging']);
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
  });

  it('stages the journal, the migrations and the lock, and puts none of them in place before the commit', async () => {
    const stage = stageBuild(dir, planBuild(dir, many));
    const names = readdirSync(dir);
    expect(names.filter((n) => !n.endsWith('.tmp') && n !== 'staging')).toEqual([]);
    expect(names).toContain(`.${LOCK_FILE}.${process.pid}.tmp`);
    expect(names).toContain(`.${JOURNAL}.${process.pid}.tmp`);
    await commitBuild(dir, stage);
    for (const [rel, content] of many) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n === JOURNAL)).toEqual([]);
    expect(readdirSync(join(dir, 'staging')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('puts the migrations in place once flushed, without the lock; the lock at the commit; the journal names them until then', async () => {
    const write = new BuildWrite(dir, planBuild(dir, many));
    await write.staged.stage.durable;
    write.placeIfFlushed();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    const journal = JSON.parse(readFileSync(join(dir, JOURNAL), 'utf8')) as { files: string[] };
    expect(journal.files).toEqual([...many.keys()].filter((k) => k !== LOCK_FILE).sort());
    for (const rel of journal.files) expect(existsSync(join(dir, rel)), rel).toBe(true);
    write.placeIfFlushed();
    await write.finish(true);
    for (const [rel, content] of many) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n === JOURNAL)).toEqual([]);
  });

  it('puts nothing in place before the flush is done, and commits all of it at the end', async () => {
    const write = new BuildWrite(dir, planBuild(dir, many));
    write.placeIfFlushed();
    expect(readdirSync(dir).filter((n) => !n.endsWith('.tmp') && n !== 'staging')).toEqual([]);
    await write.finish(true);
    for (const [rel, content] of many) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
  });

  it('takes back a build whose migrations were put in place, and leaves what was there before', async () => {
    writeFileSync(join(dir, LOCK_FILE), '{"pamc": 1, "before": true}\n');
    writeFileSync(join(dir, '20250101000000_by_hand.sql'), '-- by hand\n');
    const before = readdirSync(dir).sort();
    const write = new BuildWrite(dir, planBuild(dir, many));
    await write.staged.stage.durable;
    write.placeIfFlushed();
    expect(existsSync(join(dir, JOURNAL))).toBe(true);
    await write.finish(false);
    expect(readdirSync(dir).sort()).toEqual([...before, 'staging'].sort());
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe('{"pamc": 1, "before": true}\n');
    expect(readFileSync(join(dir, '20250101000000_by_hand.sql'), 'utf8')).toBe('-- by hand\n');
  });

  it('takes back a build that was only staged', async () => {
    await new BuildWrite(dir, planBuild(dir, many)).finish(false);
    expect(readdirSync(dir)).toEqual(['staging']);
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
  });

  it('takes back what it put in place when putting a file in place fails, and throws', async () => {
    const write = new BuildWrite(dir, planBuild(dir, many));
    await write.staged.stage.durable;
    // A staging copy whose target appears meanwhile: its link fails, and so does the fallback's rename over a directory.
    const clash = write.staged.migrations.find((f) => f.target.includes('staging') && 'copyOf' in f)!;
    mkdirSync(clash.target);
    write.placeIfFlushed();
    await expect(write.finish(true)).rejects.toThrow(/EISDIR|directory/);
    // The directory is not pamc's and stays; so does the journal, naming what the next build removes.
    expect(readdirSync(join(dir, 'staging'))).toEqual([basename(clash.target)]);
    expect(readdirSync(dir).sort()).toEqual([JOURNAL, 'staging']);
    rmSync(clash.target, { recursive: true });
    recoverBuild(dir);
    expect(readdirSync(dir)).toEqual(['staging']);
    expect(readdirSync(join(dir, 'staging'))).toEqual([]);
  });

  it('plans the migrations in path order with the lock apart, and commits them all', async () => {
    const build = planBuild(dir, many);
    expect(build.migrations.map(([rel]) => rel)).toEqual([...many.keys()].filter((k) => k !== LOCK_FILE).sort());
    expect(build.migrations.every(([rel, content]) => many.get(rel) === content)).toBe(true);
    expect(build.lock).toBe(many.get(LOCK_FILE));
    await commitBuild(dir, stageBuild(dir, build));
    for (const [rel, content] of many) expect(readFileSync(join(dir, rel), 'utf8'), rel).toBe(content);
  });
});

describe('planBuild', () => {
  it('refuses to write over a file, also one whose name differs only in case', () => {
    writeFileSync(join(dir, '20260101000001_B.sql'), '-- by hand\n');
    const files = new Map(FILES);
    expect(() => planBuild(dir, files)).toThrow(IoError);
    expect(() => planBuild(dir, files)).toThrow(/already exists; pamc never rewrites a migration/);
    expect(readFileSync(join(dir, '20260101000001_B.sql'), 'utf8')).toBe('-- by hand\n');
    expect(readdirSync(dir)).toEqual(['20260101000001_B.sql']);
  });
});
