/**
 * Re-derivation, for `check --base`: every migration that is new relative to
 * the base is compared, byte for byte, with what `build` writes from the spec
 * at that entry's version, and its lock entry with the one `build` records.
 * A hash chain proves nothing against someone who can run pamc's code; this
 * does.
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Feature } from '../model/types.js';
import type { AdditiveChange } from '../diff/changes.js';
import type { Lock } from '../lock/index.js';
import { deriveMigration, migrationPaths } from '../plan/index.js';

/** RederiveInput is the lock, the entries the base did not ship, and what `build` needs to emit a feature. */
export interface RederiveInput {
  lock: Lock;
  unshipped: ReadonlySet<string>;
  ready: readonly Feature[];
  deltaOf: (feature: Feature) => AdditiveChange[];
  outDir: string;
  outFiles: ReadonlyMap<string, string>;
}

/** Judges each unshipped lock entry and its files against what `build` would write. */
export function judgeRederived(input: RederiveInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  const byName = new Map(input.ready.map((f) => [f.name, f]));
  for (const [i, entry] of input.lock.entries.entries()) {
    if (!input.unshipped.has(entry.feature)) continue;
    const span = input.lock.spans[i] ?? input.lock.span;
    const feature = byName.get(entry.feature);
    const derived = feature ? deriveMigration(feature, entry.version, input.deltaOf(feature)) : null;
    out.push(...judge({ kind: 'rederived-entry', span, entry, expected: derived?.entry ?? null }));
    if (!derived) continue;
    for (const path of migrationPaths(entry.file, entry.environments)) {
      out.push(...judge({ kind: 'rederived', span, entry, shown: `${input.outDir}/${path}`, text: input.outFiles.get(path), expected: derived.sql }));
    }
  }
  return out;
}
