/**
 * The project as verify sees it: the spec compiled by the core (as `check`
 * does), and the migrations of one environment read from the output
 * directory. Reads files; never touches a database.
 */
import { hasErrors, type Diagnostic } from '../report/diagnostic.js';
import type { Environment } from '../model/types.js';
import { IoError } from '../cli/io.js';
import { loadProject as readProject } from '../cli/project.js';
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

/** Reads and compiles the project. */
export async function loadProject(opts: ProjectOptions): Promise<VerifyProject> {
  const { settings: s, input: compiled, output, sources } = await readProject(opts.cwd, opts, new Date());
  const diagnostics = [...output.diagnostics];
  if (hasErrors(diagnostics) || !output.spec) return { kind: 'errors', diagnostics, sources };
  const fresh = output.plan.filter((p) => p.status === 'new').map((p) => p.feature);
  if (fresh.length) return { kind: 'unbuilt', features: fresh, diagnostics, sources };
  const set = migrationSet(output.plan, opts.environment, compiled.outFiles, s.out);
  if (set.missing.length) throw new IoError(`${set.missing.join(', ')} ${set.missing.length === 1 ? 'is' : 'are'} listed in the lock but missing`);
  return { kind: 'ready', input: { spec: output.spec, environment: opts.environment, migrations: set.files }, diagnostics, sources, outDir: s.out };
}
