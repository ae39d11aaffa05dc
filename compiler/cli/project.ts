/**
 * A project on disk as every command reads it: the settings of its
 * package.json, the spec and the output directory, compiled by the core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { compile, type CompileInput, type CompileOutput } from '../compile.js';
import { loadParser, type SqlParser } from '../sql/parser.js';
import { diagnostic } from '../rules/index.js';
import { IoError, readOut, readSpec } from './io.js';

/** Settings are the project's directories and policy-name prefix, from flags or the "pamc" key of package.json. */
export interface Settings {
  schema: string;
  out: string;
  prefix: string;
  /** The git ref whose lock is what was shipped (`pamc.base`, e.g. origin/main), or null. */
  base: string | null;
}

/** A directory setting as a path relative to the project (`out/.`, `out/../out` and `/abs/project/out` are all `out`); one outside it stays absolute. */
function normalizeDir(cwd: string, dir: string): string {
  const rel = relative(cwd, resolve(cwd, dir)).split(sep).join('/');
  if (rel === '') return '.';
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(cwd, dir) : rel;
}

/** The "pamc" settings of a package.json text (null: no package.json); `where` names it in errors. */
export function settingsFrom(cwd: string, packageJson: string | null, opts: { schema?: string; out?: string }, where: string): Settings {
  let fromPackage: { schema?: unknown; out?: unknown; prefix?: unknown; base?: unknown } = {};
  if (packageJson !== null) {
    try {
      fromPackage = (JSON.parse(packageJson) as { pamc?: typeof fromPackage }).pamc ?? {};
    } catch {
      throw new IoError(`${where} is not valid JSON`);
    }
  }
  const pick = (flag: string | undefined, key: unknown, fallback: string): string => normalizeDir(cwd, flag ?? (typeof key === 'string' ? key : fallback));
  return {
    schema: pick(opts.schema, fromPackage.schema, 'schema'),
    out: pick(opts.out, fromPackage.out, 'out'),
    prefix: typeof fromPackage.prefix === 'string' ? fromPackage.prefix : '',
    base: typeof fromPackage.base === 'string' && fromPackage.base !== '' ? fromPackage.base : null,
  };
}

/** Reads the settings: a flag wins over package.json, which wins over the defaults (schema, out, no prefix). */
export function settings(cwd: string, opts: { schema?: string; out?: string }): Settings {
  const pkg = resolve(cwd, 'package.json');
  return settingsFrom(cwd, existsSync(pkg) ? readFileSync(pkg, 'utf8') : null, opts, pkg);
}

/** LoadedProject is a compiled project with the texts diagnostics point into. */
export interface LoadedProject {
  settings: Settings;
  input: CompileInput;
  output: CompileOutput;
  /** Every text a diagnostic may point into: phase files, SQL files, the lock, the base lock. */
  sources: Map<string, string>;
  parser: SqlParser;
  /** Milliseconds the shell spent reading files and loading the parser (the core's own stages are in output.timings). */
  timings: { read: number; 'parser-load': number };
}

/** Reads the project at `cwd` and compiles it; files the shell refused to read become diagnostics. */
export async function loadProject(cwd: string, opts: { schema?: string; out?: string }, now: Date, extra: Partial<CompileInput> = {}): Promise<LoadedProject> {
  const s = settings(cwd, opts);
  let t0 = performance.now();
  const spec = readSpec(resolve(cwd, s.schema), cwd);
  const out = readOut(resolve(cwd, s.out), s.out);
  const read = performance.now() - t0;
  t0 = performance.now();
  const parser = await loadParser();
  const parserLoad = performance.now() - t0;
  const input: CompileInput = {
    sources: spec.sources,
    sql: spec.sql,
    lock: out.lock,
    outDir: s.out,
    outFiles: out.files,
    now,
    options: { prefix: s.prefix },
    ...extra,
  };
  const compiled = compile(input, parser);
  const refused = spec.refused.map((r) =>
    diagnostic(
      'unreadable-file',
      { file: r.path, start: 0, end: 0 },
      `${r.path} ${r.reason}`,
      'keep phase files as plain files inside the project, each under 1 MiB',
    ),
  );
  const output = { ...compiled, diagnostics: [...refused, ...compiled.diagnostics] };
  const sources = new Map<string, string>([...spec.sources.map((f): [string, string] => [f.path, f.text]), ...spec.sql.files]);
  if (out.lock) sources.set(out.lock.path, out.lock.text);
  if (input.base?.lock) sources.set(input.base.lock.path, input.base.lock.text);
  for (const path of compiled.foreign) sources.set(`${s.out}/${path}`, out.files.get(path) ?? '');
  return { settings: s, input, output, sources, parser, timings: { read, 'parser-load': parserLoad } };
}
