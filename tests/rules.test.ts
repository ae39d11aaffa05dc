/**
 * Every rule against its fixtures: `bad` must report the rule (and its
 * rendered diagnostics must match the golden expected.txt), `good` must not
 * report it and must have no error at all.
 *
 * UPDATE_GOLDEN=1 rewrites the goldens; review their diff like code.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RULES } from '../compiler/rules/index.js';
import { readSpec } from '../compiler/cli/io.js';
import { caseDir, ROOT, runCase, SHIPPED_AT, type FsOp } from './helpers/fixtures.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const CLI = join(ROOT, 'dist', 'compiler', 'cli', 'main.js');

function golden(dir: string, actual: string): void {
  const path = join(dir, 'expected.txt');
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} is missing; run with UPDATE_GOLDEN=1 to write it, then review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

function isCliCase(dir: string): boolean {
  return existsSync(join(dir, 'fs.json'));
}

/**
 * A CLI case: the case's schema is copied to <tmp>/project and built; then
 * fs.json changes the copy (paths relative to the project; <tmp>/outside is
 * outside it), `build` runs again and `check` judges the result.
 */
interface CliRun {
  tmp: string;
  project: string;
  refused: Array<{ path: string; reason: string }>;
  status: number | null;
  stderr: string;
}

function cli(project: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args, '--now', SHIPPED_AT.toISOString()], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '' },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function runCliCase(dir: string): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npx tsc -p .\` first`);
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'pamc-rule-')));
  const project = join(tmp, 'project');
  try {
    mkdirSync(join(tmp, 'outside'));
    cpSync(join(dir, 'schema'), join(project, 'schema'), { recursive: true });
    const built = cli(project, ['build']);
    if (built.status !== 0) throw new Error(`build failed before fs.json was applied:\n${built.stderr}`);
    const ops = JSON.parse(readFileSync(join(dir, 'fs.json'), 'utf8')) as FsOp[];
    for (const op of ops) {
      const path = join(project, op.path);
      mkdirSync(dirname(path), { recursive: true });
      if (op.op === 'symlink') symlinkSync(op.target, path);
      else writeFileSync(path, op.text.repeat(op.repeat ?? 1));
    }
    const { refused } = readSpec(join(project, 'schema'), project);
    cli(project, ['build']);
    const checked = cli(project, ['check']);
    return { tmp, project, refused, status: checked.status, stderr: checked.stderr.split(tmp).join('<tmp>') };
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id) => {
  const bad = caseDir(id, 'bad');
  const good = caseDir(id, 'good');

  if (isCliCase(bad)) {
    test('bad: readSpec refuses the file and `pamc check` fails with the rule', () => {
      const run = runCliCase(bad);
      try {
        expect(run.refused.length).toBeGreaterThan(0);
        expect(run.status).toBe(1);
        expect(run.stderr).toContain(`[${id}]`);
        golden(bad, run.stderr);
      } finally {
        rmSync(run.tmp, { recursive: true, force: true });
      }
    });
    test('good: `pamc check` passes', () => {
      const run = runCliCase(good);
      try {
        expect(run.refused).toEqual([]);
        expect(run.stderr).not.toContain(`[${id}]`);
        expect(run.status).toBe(0);
      } finally {
        rmSync(run.tmp, { recursive: true, force: true });
      }
    });
    return;
  }

  test('bad: reports the rule', async () => {
    const { diagnostics, text } = await runCase(bad);
    expect(diagnostics.map((d) => d.rule)).toContain(id);
    golden(bad, text);
  });

  test('good: does not report the rule, and has no error', async () => {
    const { diagnostics, text } = await runCase(good);
    expect(
      diagnostics.filter((d) => d.rule === id),
      text,
    ).toEqual([]);
    expect(
      diagnostics.filter((d) => d.severity === 'error'),
      text,
    ).toEqual([]);
  });
});
