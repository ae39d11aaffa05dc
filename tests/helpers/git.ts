/**
 * Real git repositories for workflow tests: a copy of a project committed on
 * `main`, branches, commits, merges.
 */
import { spawnSync } from 'node:child_process';
import { copyProject } from './project.js';

const ENV = { GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_NOSYSTEM: '1' };

/** Runs git in `cwd`; throws with its stderr when it fails (unless `allowFail`). */
export function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...ENV } });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Runs git and returns its status, for commands expected to fail (a conflicted merge). */
export function gitStatus(cwd: string, ...args: string[]): number {
  return spawnSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, ...ENV } }).status ?? -1;
}

/** Commits everything in `cwd` with `message`. */
export function commitAll(cwd: string, message: string): void {
  git(cwd, 'add', '-A');
  git(cwd, 'commit', '-qm', message, '--allow-empty');
}

/** A copy of the repository's project (package.json, schema/, out/) committed on main, checked out on branch `branch`. */
export function projectRepo(branch = 'change', parts?: string[]): { dir: string; cleanup: () => void } {
  const p = copyProject(parts);
  git(p.dir, 'init', '-q', '-b', 'main');
  commitAll(p.dir, 'shipped');
  git(p.dir, 'checkout', '-qb', branch);
  return p;
}
