/**
 * Rule fixtures: small projects under tests/fixtures/rules/<id>/{bad,good}/,
 * compiled through the pure core the way `pamc build` or `pamc check` would.
 *
 * A case folder holds:
 * - `schema/**.yaml`: the spec under test (shown as `schema/...`), and
 *   `schema/**.sql`: the SQL files of its SQL features;
 * - `shipped/schema/**.{yaml,sql}` (optional): an earlier spec, compiled first with a
 *   pinned clock; its lock and migrations become the case's `out/`;
 * - `mutate.json` (optional): MutateOp[] applied to that in-memory `out/`
 *   (hand edits, deletions, lock surgery) before the spec is compiled;
 * - `pamc.json` (optional): project settings, as under "pamc" in package.json
 *   (`{ "prefix": "pam_" }`);
 * - `case.json` (optional): `{ "command": "check" }` adds what `check` judges
 *   beyond `build` (staleOutput); the default is `build`;
 * - `fs.json` (optional, CLI cases only): FsOp[] applied to a copy of the case
 *   on disk, for what only the shell sees (symbolic links, huge files);
 * - `git.json` (optional, CLI cases only): a GitCase, for what only
 *   `check --base` sees (settings and files of the base ref);
 * - `package.json` (optional, CLI cases only): the project's package.json;
 * - `expected.txt` (bad cases): the rendered diagnostics, a golden file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, staleOutput, type CompileOutput } from '../../compiler/compile.js';
import { loadParser } from '../../compiler/sql/parser.js';
import { LOCK_FILE } from '../../compiler/lock/index.js';
import { hasErrors, type Diagnostic, type SourceFile } from '../../compiler/report/diagnostic.js';
import { renderText } from '../../compiler/report/render.js';
import type { SqlSources } from '../../compiler/model/index.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RULES_FIXTURES = join(ROOT, 'tests', 'fixtures', 'rules');

/** The clock of the shipped build, and the later clock of the build under test. */
export const SHIPPED_AT = new Date('2026-01-01T00:00:00Z');
export const BUILT_AT = new Date('2026-02-01T00:00:00Z');

/** The output directory as the user names it. */
export const OUT_DIR = 'out';

/** MutateOp is one edit of the shipped output directory; paths are relative to it. */
export type MutateOp =
  | { op: 'append'; path: string; text: string }
  | { op: 'write'; path: string; text: string }
  | { op: 'delete'; path: string }
  | { op: 'rename'; path: string; to: string }
  | { op: 'replace'; path: string; from: string; to: string };

/** FsOp is one change to a case copied on disk: a symbolic link, a file of a given size, a rename, a removal. */
export type FsOp =
  | { op: 'symlink'; path: string; target: string }
  | { op: 'write'; path: string; text: string; repeat?: number }
  | { op: 'rename'; path: string; to: string }
  | { op: 'remove'; path: string };

/** GitCase is the content of git.json: a case judged by `pamc check --base main` in a git repository. */
export interface GitCase {
  /** Applied to the built project before it is committed on main. */
  base?: FsOp[];
  /** Applied on a branch after that: the pull request. */
  change: FsOp[];
  /** Whether `pamc build` runs after the change (default false). */
  build?: boolean;
  /**
   * Main moving on while the branch is open: applied on main after the
   * branch is committed, built (one second later) and committed; then main
   * is merged into the branch (the lock with git's union driver), unbuilt.
   */
  main?: FsOp[];
}

/** CaseConfig is the content of case.json. */
export interface CaseConfig {
  command: 'build' | 'check';
}

/** CaseResult is what a case compiles to, and the texts its diagnostics point into. */
export interface CaseResult {
  diagnostics: Diagnostic[];
  sources: Map<string, string>;
  output: CompileOutput;
  /** The rendered diagnostics, without colour. */
  text: string;
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function readJson<T>(path: string): T | null {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : null;
}

/** Every *.yaml / *.yml under `dir`, sorted, with paths shown relative to `base`. */
export function readYamlTree(dir: string, base: string, shownAs: (rel: string) => string = (r) => r): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const path = join(abs, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(name)) out.push({ path: shownAs(toPosix(relative(base, path))), text: readFileSync(path, 'utf8') });
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** Every *.sql file under `dir` (the schema directory of a case), by path relative to `base`: what `sql:` features name. */
export function readSqlTree(dir: string, base: string): SqlSources {
  const files = new Map<string, string>();
  const walk = (abs: string): void => {
    for (const name of readdirSync(abs).sort()) {
      const path = join(abs, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.sql')) files.set(toPosix(relative(base, path)), readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return { dir: toPosix(relative(base, dir)), files };
}

/** Applies `ops` to an output directory held in memory (keys relative to it, the lock included). */
export function applyMutations(out: Map<string, string>, ops: readonly MutateOp[]): void {
  const need = (path: string): string => {
    const text = out.get(path);
    if (text === undefined) throw new Error(`mutate: ${path} is not in the output directory (it has: ${[...out.keys()].join(', ')})`);
    return text;
  };
  for (const op of ops) {
    switch (op.op) {
      case 'append':
        out.set(op.path, need(op.path) + op.text);
        break;
      case 'write':
        out.set(op.path, op.text);
        break;
      case 'delete':
        need(op.path);
        out.delete(op.path);
        break;
      case 'rename':
        out.set(op.to, need(op.path));
        out.delete(op.path);
        break;
      case 'replace': {
        const text = need(op.path);
        if (!text.includes(op.from)) throw new Error(`mutate: ${op.path} does not contain ${JSON.stringify(op.from)}`);
        out.set(op.path, text.split(op.from).join(op.to));
        break;
      }
      default: {
        const never: never = op;
        throw new Error(`mutate: unknown op ${JSON.stringify(never)}`);
      }
    }
  }
}

/** Compiles a case folder: the shipped spec first (if any), then the spec under test against its output. */
export async function runCase(dir: string): Promise<CaseResult> {
  if (!existsSync(join(dir, 'schema'))) throw new Error(`${toPosix(relative(ROOT, dir))} has no schema/ folder`);
  const parser = await loadParser();
  const options = { prefix: '', ...(readJson<{ prefix?: string }>(join(dir, 'pamc.json')) ?? {}) };
  const config: CaseConfig = { command: 'build', ...(readJson<Partial<CaseConfig>>(join(dir, 'case.json')) ?? {}) };

  const out = new Map<string, string>();
  const shippedDir = join(dir, 'shipped');
  if (existsSync(shippedDir)) {
    const sources = readYamlTree(join(shippedDir, 'schema'), shippedDir);
    const sql = readSqlTree(join(shippedDir, 'schema'), shippedDir);
    const shipped = compile({ sources, sql, lock: null, outDir: OUT_DIR, outFiles: new Map(), now: SHIPPED_AT, options }, parser);
    if (hasErrors(shipped.diagnostics)) {
      const texts = new Map([...sources.map((s): [string, string] => [s.path, s.text]), ...sql.files]);
      throw new Error(`${toPosix(relative(ROOT, shippedDir))} does not build:\n${renderText(shipped.diagnostics, texts)}`);
    }
    for (const [path, text] of shipped.files) out.set(path, text);
  }
  applyMutations(out, readJson<MutateOp[]>(join(dir, 'mutate.json')) ?? []);

  const lockText = out.get(LOCK_FILE);
  const lock: SourceFile | null = lockText === undefined ? null : { path: `${OUT_DIR}/${LOCK_FILE}`, text: lockText };
  const outFiles = new Map([...out].filter(([path]) => path !== LOCK_FILE));
  const sources = readYamlTree(join(dir, 'schema'), dir);
  const sql = readSqlTree(join(dir, 'schema'), dir);
  const output = compile({ sources, sql, lock, outDir: OUT_DIR, outFiles, now: BUILT_AT, options }, parser);
  const diagnostics = config.command === 'check' ? [...output.diagnostics, ...staleOutput(output, outFiles, OUT_DIR)] : output.diagnostics;

  const texts = new Map([...sources.map((s): [string, string] => [s.path, s.text]), ...sql.files]);
  if (lock) texts.set(lock.path, lock.text);
  return { diagnostics, sources: texts, output, text: renderText(diagnostics, texts) };
}

/** The case folders of a rule: `bad` and `good`. */
export function caseDir(rule: string, kind: 'bad' | 'good'): string {
  return join(RULES_FIXTURES, rule, kind);
}
