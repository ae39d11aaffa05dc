/**
 * Every rule against its fixtures: `bad` must report the rule (and its
 * rendered diagnostics must match the golden expected.txt), `good` must not
 * report it and must have no error at all.
 *
 * Most cases compile through the pure core (tests/helpers/fixtures.ts). A
 * case with fs.json or git.json runs the command line (in-process) in a copy
 * on disk: fs.json changes the built copy (paths relative to the project;
 * <tmp>/outside is outside it), then `check` judges it; git.json commits the
 * built copy on main, changes it on a branch and runs `check --base main`.
 *
 * UPDATE_GOLDEN=1 rewrites the goldens; review their diff like code.
 */
import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { RULES } from '../compiler/rules/index.js';
import { caseDir, runCase, SHIPPED_AT, type FsOp, type GitCase } from './helpers/fixtures.js';
import { runPamc } from './helpers/project.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(dir: string, actual: string): void {
  const path = join(dir, 'expected.txt');
  if (UPDATE) {
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`${path} is missing; run with UPDATE_GOLDEN=1 to write it, then review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

/** Runs pamc in `project` with the shipped clock. */
function cli(project: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return runPamc(project, [...args, '--now', SHIPPED_AT.toISOString()], { FORCE_COLOR: '' });
}

function apply(project: string, ops: readonly FsOp[]): void {
  for (const op of ops) {
    const path = join(project, op.path);
    mkdirSync(dirname(path), { recursive: true });
    if (op.op === 'symlink') symlinkSync(op.target, path);
    else if (op.op === 'rename') renameSync(path, join(project, op.to));
    else if (op.op === 'remove') rmSync(path, { recursive: true, force: true });
    else writeFileSync(path, op.text.repeat(op.repeat ?? 1));
  }
}

function git(cwd: string, ...args: string[]): void {
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A CLI case's result: what `check` printed, paths of the temporary directory shown as <tmp>. */
interface CliRun {
  status: number;
  stderr: string;
}

/** Copies the case into <tmp>/project, builds it, runs `body`, and removes <tmp>. */
async function inCopy(dir: string, body: (project: string) => Promise<CliRun>): Promise<CliRun> {
  const tmp = realpathSync(mkdtempSync(join(tmpdir(), 'pamc-rule-')));
  const project = join(tmp, 'project');
  try {
    mkdirSync(join(tmp, 'outside'));
    cpSync(join(dir, 'schema'), join(project, 'schema'), { recursive: true });
    if (existsSync(join(dir, 'package.json'))) cpSync(join(dir, 'package.json'), join(project, 'package.json'));
    const built = await cli(project, ['build']);
    if (built.status !== 0) throw new Error(`the case does not build:\n${built.stderr}`);
    const run = await body(project);
    return { status: run.status, stderr: run.stderr.split(tmp).join('<tmp>') };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function runFsCase(dir: string): Promise<CliRun> {
  return inCopy(dir, async (project) => {
    apply(project, JSON.parse(readFileSync(join(dir, 'fs.json'), 'utf8')) as FsOp[]);
    await cli(project, ['build']);
    return cli(project, ['check']);
  });
}

function runGitCase(dir: string): Promise<CliRun> {
  const spec = JSON.parse(readFileSync(join(dir, 'git.json'), 'utf8')) as GitCase;
  return inCopy(dir, async (project) => {
    apply(project, spec.base ?? []);
    writeFileSync(join(project, '.gitattributes'), 'out/pamc.lock merge=union\n');
    git(project, 'init', '-q', '-b', 'main');
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'base');
    git(project, 'checkout', '-qb', 'change');
    apply(project, spec.change);
    if (spec.build) await cli(project, ['build']);
    git(project, 'add', '-A');
    git(project, 'commit', '-qm', 'change', '--allow-empty');
    if (spec.main) {
      git(project, 'checkout', '-q', 'main');
      apply(project, spec.main);
      await runPamc(project, ['build', '--now', new Date(SHIPPED_AT.getTime() + 86_400_000).toISOString()], { FORCE_COLOR: '' });
      git(project, 'add', '-A');
      git(project, 'commit', '-qm', 'main moves on');
      git(project, 'checkout', '-q', 'change');
      git(project, 'merge', '-q', '--no-edit', 'main');
    }
    return cli(project, ['check', '--base', 'main']);
  });
}

function cliRunner(dir: string): ((dir: string) => Promise<CliRun>) | null {
  if (existsSync(join(dir, 'fs.json'))) return runFsCase;
  if (existsSync(join(dir, 'git.json'))) return runGitCase;
  return null;
}

describe.each(RULES.map((r) => [r.id, r] as const))('%s', (id, rule) => {
  const bad = caseDir(id, 'bad');
  const good = caseDir(id, 'good');
  const runCli = cliRunner(bad);

  if (runCli) {
    test('bad: `pamc check` reports the rule', async () => {
      const run = await runCli(bad);
      expect(run.stderr).toContain(`[${id}]`);
      if (rule.severity === 'error') expect(run.status).toBe(1);
      golden(bad, run.stderr);
    });
    test('good: `pamc check` passes without the rule', async () => {
      const run = await (cliRunner(good) ?? runCli)(good);
      expect(run.stderr).not.toContain(`[${id}]`);
      expect(run.status, run.stderr).toBe(0);
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
