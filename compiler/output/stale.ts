/**
 * What `check` adds to a compile: the output directory must be exactly what
 * `build` would leave. A feature without its migration, a file in pamc's
 * staging directory that the lock does not list, or a migration an
 * interrupted build left, is stale output.
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import { STAGING_DIR } from '../lock/index.js';
import type { Spec } from '../model/types.js';
import { migrationPaths, type PlannedMigration } from '../plan/index.js';

/** `interrupted`: files (relative to the output directory) that a killed build put in place without listing them in the lock. */
export function staleOutput(
  output: { spec: Spec | null; plan: readonly PlannedMigration[]; orphans: readonly string[] },
  outFiles: ReadonlyMap<string, string>,
  outDir: string,
  interrupted: readonly string[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const features = new Map((output.spec?.phases.flatMap((p) => p.features) ?? []).map((f) => [f.name, f]));
  const nowhere = { file: '', start: 0, end: 0 };
  // Work in progress that build would rebuild is reported where its migration is judged (rederived, version-order).
  for (const p of output.plan) {
    if (p.status === 'new' && !p.replaces)
      out.push(...judge({ kind: 'unbuilt-feature', span: features.get(p.feature)?.span ?? nowhere, feature: p.feature, outDir }));
  }
  const owned = new Set(
    output.plan.flatMap((p) => [
      ...(p.status === 'emitted' ? migrationPaths(p.file, p.environments) : []),
      ...(p.replaces ? migrationPaths(p.replaces, p.environments) : []),
    ]),
  );
  for (const path of outFiles.keys()) {
    const staging = path.startsWith(`${STAGING_DIR}/`);
    if (staging && !owned.has(path) && !output.orphans.includes(path))
      out.push(...judge({ kind: 'unlisted-file', span: nowhere, shown: `${outDir}/${path}`, interrupted: false, staging }));
  }
  for (const path of interrupted) {
    if (!path.startsWith(`${STAGING_DIR}/`))
      out.push(...judge({ kind: 'unlisted-file', span: nowhere, shown: `${outDir}/${path}`, interrupted: true, staging: false }));
  }
  return out;
}
