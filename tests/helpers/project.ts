/**
 * Test helpers for whole projects: compile a spec directory in memory, and
 * run the real CLI in a temporary copy of a project.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { parseLock, renderLock, type LockEntry } from '../../compiler/lock/index.js';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { compile, type CompileInput, type CompileOutput } from '../../compiler/compile.js';
import { loadParser } from '../../compiler/sql/parser.js';
import { readOut, readSpec } from '../../compiler/cli/io.js';
import { loadProject } from '../../compiler/cli/project.js';
import { run } from '../../compiler/cli/run.js';
import { migrationSet } from '../../compiler/verify/expected.js';
import type { VerifyInput } from '../../compiler/verify/index.js';
import type { Environment } from '../../compiler/model/types.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI = join(ROOT, 'dist/compiler/cli/main.js');
export const PINNED = new Date('2026-01-01T00:00:00Z');

/** Compiles the project at `dir` (schema/ and out/) in memory. */
export async function compileProject(dir: string, overrides: Partial<CompileInput> = {}): Promise<CompileOutput & { input: CompileInput }> {
  const spec = readSpec(join(dir, 'schema'), dir);
  const out = readOut(join(dir, 'out'), 'out');
  const input: CompileInput = {
    sources: spec.sources,
    sql: spec.sql,
    lock: out.lock,
    outDir: 'out',
    outFiles: out.files,
    now: PINNED,
    options: { prefix: 'pam_' },
    ...overrides,
  };
  return { ...compile(input, await loadParser()), input };
}

/** A temporary copy of the repository's project files (package.json, schema/, out/). */
export function copyProject(parts: string[] = ['package.json', 'schema', 'out']): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-'));
  for (const p of parts) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * A project in a fresh directory with the phase files of a fixture
 * (`schema`, relative to the repository) and a bare package.json; `phases`
 * adds phase files to it (name → YAML).
 */
export function fixtureProject(schema: string, phases: Record<string, string> = {}): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-'));
  cpSync(join(ROOT, schema), join(dir, 'schema'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "app" }\n');
  for (const [name, yaml] of Object.entries(phases)) writeFileSync(join(dir, 'schema', name), yaml);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the built CLI in `cwd`. */
export function pamc(cwd: string, args: string[], env: Record<string, string> = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600', ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under `dir` (dot files included) with the SHA-256 of its bytes. */
export function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (abs: string, rel: string): void => {
    if (!existsSync(abs)) return;
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(abs, e.name), path);
      else
        out[path] = createHash('sha256')
          .update(readFileSync(join(abs, e.name)))
          .digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** What verify proves of the project at `dir` (the bundled one by default) for `environment`; the project must be built. */
export async function verifyInputOf(environment: Environment, dir: string = ROOT): Promise<VerifyInput> {
  const { output, input, settings } = await loadProject(dir, {}, PINNED);
  if (!output.spec || output.plan.some((p) => p.status === 'new')) throw new Error(`the project at ${dir} is not built`);
  return { spec: output.spec, environment, migrations: migrationSet(output.plan, environment, input.outFiles, settings.out).files };
}

/**
 * Runs pamc in this process (compiler/cli/run.ts) with `cwd` and `env` (over a
 * pinned clock and no colour): the same command line as the built CLI, without
 * starting a process. Use `pamc` for what only a process shows (signals, the
 * bin itself, concurrency).
 */
export async function runPamc(
  cwd: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const status = await run(args, {
    cwd,
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600', ...env },
    stdout: { write: (t) => void (stdout += t), isTTY: false },
    stderr: { write: (t) => void (stderr += t), isTTY: false },
  });
  return { status, stdout, stderr };
}

/** The entries of the lock file at `path` (format 2). */
export function readLockEntries(path: string): LockEntry[] {
  const read = parseLock({ path, text: readFileSync(path, 'utf8') });
  if (read.problems.length) throw new Error(read.problems[0]!.message);
  return read.lock.entries;
}

/** Rewrites the lock file at `path` with `entries`, as pamc renders a lock (what a branch editing the lock by hand would do). */
export function writeLockEntries(path: string, entries: readonly LockEntry[]): void {
  writeFileSync(path, renderLock(entries));
}
