/**
 * Git, for `check --base`: files as they are at a ref. Paths are relative to
 * the working directory, which may be a subdirectory of the repository.
 */
import { spawnSync } from 'node:child_process';

/** GitError is a failure to read from git, reported with exit status 2. */
export class GitError extends Error {}

function git(cwd: string, args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new GitError(`cannot run git: ${r.error.message}`);
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** Checks that `ref` names a commit of the repository `cwd` is in; returns the prefix of `cwd` in the repository. */
export function gitRef(cwd: string, ref: string): string {
  if (git(cwd, ['rev-parse', '--is-inside-work-tree']).status !== 0) throw new GitError(`--base needs a git repository; ${cwd} is not inside one`);
  const verify = git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (verify.status !== 0) {
    throw new GitError(
      `git ref \`${ref}\` does not exist here. In CI this is usually a shallow clone: fetch the history (actions/checkout with \`fetch-depth: 0\`, or \`git fetch origin <branch>\`) and try again`,
    );
  }
  return git(cwd, ['rev-parse', '--show-prefix']).stdout.trim();
}

/** The commit where HEAD left `ref` (git merge-base), or null when they share none. */
export function mergeBase(cwd: string, ref: string): string | null {
  gitRef(cwd, ref);
  const r = git(cwd, ['merge-base', ref, 'HEAD']);
  return r.status === 0 ? r.stdout.trim() : null;
}

/** Whether `cwd` is in a git repository that has `ref` (a `pamc.base` that does not exist here is not used). */
export function hasRef(cwd: string, ref: string): boolean {
  try {
    return git(cwd, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]).status === 0;
  } catch {
    return false;
  }
}

/** The text of `path` (relative to cwd) at `ref`, or null when the file does not exist there. */
export function gitShow(cwd: string, ref: string, path: string): string | null {
  const prefix = gitRef(cwd, ref);
  const r = git(cwd, ['show', `${ref}:${prefix}${path}`]);
  if (r.status !== 0) {
    if (/does not exist|exists on disk, but not in/.test(r.stderr)) return null;
    throw new GitError(`git show ${ref}:${prefix}${path} failed: ${r.stderr.trim()}`);
  }
  return r.stdout;
}

/** The files directly in directory `dir` (relative to cwd) at `ref`: name → blob id. */
export function gitFiles(cwd: string, ref: string, dir: string): Map<string, string> {
  const prefix = gitRef(cwd, ref);
  const r = git(cwd, ['ls-tree', '-z', `${ref}:${prefix}${dir}`]);
  const out = new Map<string, string>();
  if (r.status !== 0) return out;
  for (const line of r.stdout.split('\0')) {
    const m = /^[0-7]+ blob ([0-9a-f]+)\t(.+)$/.exec(line);
    if (m) out.set(m[2]!, m[1]!);
  }
  return out;
}

/** Lines a change touched, per file (relative to cwd): ranges of new line numbers, inclusive. */
export type ChangedLines = Map<string, Array<[number, number]>>;

/**
 * The lines the working tree changed since it left `ref` (since the merge
 * base of `ref` and HEAD): what a pull request changed, committed or not,
 * and files git does not track yet. A deletion marks the line after it.
 */
export function changedLines(cwd: string, ref: string): ChangedLines {
  gitRef(cwd, ref);
  const base = git(cwd, ['merge-base', ref, 'HEAD']);
  if (base.status !== 0) throw new GitError(`git merge-base ${ref} HEAD failed: ${base.stderr.trim()}`);
  const r = git(cwd, ['diff', '--unified=0', '--no-color', '--no-ext-diff', '--relative', base.stdout.trim()]);
  if (r.status !== 0) throw new GitError(`git diff failed: ${r.stderr.trim()}`);
  const out: ChangedLines = new Map();
  let file: string | null = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('+++ ')) {
      file = line === '+++ /dev/null' ? null : line.slice(line.startsWith('+++ b/') ? 6 : 4);
      if (file !== null && !out.has(file)) out.set(file, []);
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk || file === null) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    out.get(file)!.push([Math.max(1, start), Math.max(1, start + Math.max(count, 1) - 1)]);
  }
  // Files git does not track yet are new, every line of them.
  const untracked = git(cwd, ['ls-files', '--others', '--exclude-standard', '-z']);
  for (const path of untracked.stdout.split('\0')) if (path) out.set(path, [[1, Number.MAX_SAFE_INTEGER]]);
  return out;
}
