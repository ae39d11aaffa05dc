/**
 * The project as verify sees it: the spec compiled by the core (as `check`
 * does), and the migrations of one environment read from the output
 * directory. Reads files; never touches a database.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile } from '../pipeline.js';
import { loadParser } from '../sql/parser.js';
import { diagnostic } from '../rules/index.js';
import { hasErrors, type Diagnostic } from '../report/diagnostic.js';
import type { Environment } from '../model/types.js';
import { IoError, readOut, readSpec } from '../cli/io.js';
import { migrationSet } from './expected.js';
import type { VerifyInput } from './index.js';

/** ProjectOptions locate the project: its directory and, optionally, the spec and output directories. */
export interface ProjectOptions {
  cwd: string;
  schema?: string;
  out?: string;
  environment: Environment;
}

/** VerifyProject is a project ready to verify, or why it is not: errors in the spec, or features not built yet. */
export type VerifyProject =
  | { kind: 'ready'; input: VerifyInput; diagnostics: Diagnostic[]; sources: Map<string, string>; outDir: string }
  | { kind: 'errors'; diagnostics: Diagnostic[]; sources: Map<string, string> }
  | { kind: 'unbuilt'; features: string[]; diagnostics: Diagnostic[]; sources: Map<string, string> };

/** The "pamc" settings of the project's package.json (schema, out, prefix), as build and check read them. */
function settings(cwd: string, opts: { schema?: string; out?: string }): { schema: string; out: string; prefix: string } {
  let fromPackage: { schema?: unknown; out?: unknown; prefix?: unknown } = {};
  const pkg = resolve(cwd, 'package.json');
  if (existsSync(pkg)) {
    try {
      fromPackage = (JSON.parse(readFileSync(pkg, 'utf8')) as { pamc?: typeof fromPackage }).pamc ?? {};
    } catch {
      throw new IoError(`${pkg} is not valid JSON`);
    }
  }
  const trim = (p: string): string => p.replace(/\/+$/, '') || '.';
  const pick = (flag: string | undefined, key: unknown, fallback: string): string => trim(flag ?? (typeof key === 'string' ? key : fallback));
  return { schema: pick(opts.schema, fromPackage.schema, 'schema'), out: pick(opts.out, fromPackage.out, 'out'), prefix: typeof fromPackage.prefix === 'string' ? fromPackage.prefix : '' };
}

/** Reads and compiles the project. */
export async function loadProject(opts: ProjectOptions): Promise<VerifyProject> {
  const s = settings(opts.cwd, opts);
  const parser = await loadParser();
  const spec = readSpec(resolve(opts.cwd, s.schema), opts.cwd);
  const out = readOut(resolve(opts.cwd, s.out), s.out);
  const output = compile({ sources: spec.sources, lock: out.lock, outDir: s.out, outFiles: out.files, now: new Date(), options: { prefix: s.prefix } }, parser);
  const diagnostics = [...output.diagnostics];
  for (const r of spec.refused) diagnostics.unshift(diagnostic('unreadable-file', { file: r.path, start: 0, end: 0 }, `${r.path} ${r.reason}`, 'keep phase files as plain files inside the project, each under 1 MiB'));
  const sources = new Map<string, string>(spec.sources.map((f) => [f.path, f.text]));
  if (out.lock) sources.set(out.lock.path, out.lock.text);
  if (hasErrors(diagnostics) || !output.spec) return { kind: 'errors', diagnostics, sources };
  const fresh = output.plan.filter((p) => p.status === 'new').map((p) => p.feature);
  if (fresh.length) return { kind: 'unbuilt', features: fresh, diagnostics, sources };
  const set = migrationSet(output.plan, opts.environment, out.files, s.out);
  if (set.missing.length) throw new IoError(`${set.missing.join(', ')} ${set.missing.length === 1 ? 'is' : 'are'} listed in the lock but missing`);
  return { kind: 'ready', input: { spec: output.spec, environment: opts.environment, migrations: set.files }, diagnostics, sources, outDir: s.out };
}
