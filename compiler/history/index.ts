/**
 * Stage 5, history: what was shipped against the spec.
 *
 * Input: the shipped lock (the lock, or the base ref's lock with `--base`),
 * the spec, and what the model needs to read lock snapshots back. Output:
 * the diagnostics of the facts found: shipped features gone, moved or
 * edited, and each change an edit makes to the shipped schema, which the
 * destructive rules judge (../rules). A shipped feature is frozen: an edit
 * no rule names is still an error (modify-emitted-feature).
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import { fromJson } from '../load/index.js';
import { readFeature, Reader, type ModelOptions } from '../model/index.js';
import { featuresInOrder, type ExistingTable, type Feature, type Spec } from '../model/types.js';
import { firstDifference, sameSnapshot, snapshotFeature, snapshotSql, withoutSql } from '../model/snapshot.js';
import { fold } from '../diff/fold.js';
import { diffEnums, diffStates, type TypeCanonicalizer } from '../diff/changes.js';
import type { Lock } from '../lock/index.js';
import type { SqlParser } from '../sql/parser.js';
import { changeFeature, locateHistory, onlyFeatureItems } from './changes.js';
import { inOrder } from './order.js';

/** HistoryInput is what history judges. `incomplete`: a phase file failed to load, so a vanished feature may only be unread. */
export interface HistoryInput {
  shipped: Lock;
  spec: Spec;
  existing: readonly ExistingTable[];
  parser: SqlParser;
  options: ModelOptions;
  canon: TypeCanonicalizer;
  incomplete: boolean;
  /** Features the base shipped after the branch left it: absent from the branch because it is behind, not because it removed them. */
  behind?: ReadonlySet<string>;
  /** The base ref, as the user named it. */
  ref?: string;
}

/** Judges the spec against what was shipped. */
export function judgeHistory(input: HistoryInput): Diagnostic[] {
  if (input.shipped.entries.length === 0) return [];
  const byName = new Map(featuresInOrder(input.spec).map((f) => [f.name, f]));
  return [...goneFeatures(input, byName), ...movedFeatures(input), ...editedFeatures(input, byName), ...editedSql(input, byName)];
}

/** Shipped features whose SQL file is not the one that shipped (added, removed or edited); a file that cannot be read is reported where it is named. */
function editedSql({ shipped }: HistoryInput, byName: ReadonlyMap<string, Feature>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const entry of shipped.entries) {
    const feature = byName.get(entry.feature);
    if (!feature || feature.draft || (feature.sql && feature.sql.text === null)) continue;
    const before = snapshotSql(entry.spec);
    const now = feature.sql?.sha256 ?? null;
    if (before === now) continue;
    out.push(...judge({ kind: 'edited-sql', span: feature.sql?.path.span ?? feature.span, feature, entry, shipped: before, now }));
  }
  return out;
}

/** Shipped features no longer in the spec: their phase gone (once per phase), or the feature alone. */
function goneFeatures({ shipped, spec, incomplete, behind, ref }: HistoryInput, byName: ReadonlyMap<string, Feature>): Diagnostic[] {
  if (incomplete) return [];
  const out: Diagnostic[] = [];
  const reported = new Set<number>();
  for (const [i, e] of shipped.entries.entries()) {
    if (byName.has(e.feature)) continue;
    if (behind?.has(e.feature)) {
      out.push(...judge({ kind: 'base-ahead', span: shipped.spans[i] ?? shipped.span, entry: e, ref: ref ?? 'the base' }));
      continue;
    }
    const phase = spec.phases.find((p) => p.phase === e.phase);
    if (phase) out.push(...judge({ kind: 'gone-feature', span: phase.featuresSpan, entry: e, phase }));
    else if (!reported.has(e.phase)) {
      reported.add(e.phase);
      const lost = shipped.entries.filter((x) => x.phase === e.phase);
      out.push(...judge({ kind: 'gone-phase', span: shipped.spans[i] ?? shipped.span, phase: e.phase, lost }));
    }
  }
  return out;
}

/** Shipped features that remain but no longer come in the shipped order (those off a longest run in order moved). */
function movedFeatures({ shipped, spec }: HistoryInput): Diagnostic[] {
  const index = new Map(shipped.entries.map((e, i) => [e.feature, i]));
  const inSpec = featuresInOrder(spec).filter((f) => index.has(f.name));
  const kept = inOrder(inSpec.map((f) => index.get(f.name)!));
  const out: Diagnostic[] = [];
  for (const [i, feature] of inSpec.entries()) {
    if (kept.has(i)) continue;
    const at = index.get(feature.name)!;
    out.push(...judge({ kind: 'moved-feature', span: feature.span, feature, entry: shipped.entries[at]!, before: shipped.entries[at - 1] }));
  }
  return out;
}

/** Reads lock snapshots back into features, through the same reader as phase files. */
function lockFeatures({ shipped, parser, options }: HistoryInput): Feature[] {
  const reader = new Reader(parser, options);
  const out: Feature[] = [];
  for (const [i, e] of shipped.entries.entries()) {
    const span = shipped.spans[i] ?? shipped.span;
    const f = readFeature(
      reader,
      { key: e.feature, keySpan: span, value: fromJson(e.spec, span) },
      { phase: e.phase, title: '', draft: false, file: span.file },
    );
    if (f) out.push({ ...f, legacy: e.grants !== 'exact' });
  }
  return out;
}

/** Shipped features whose spec changed: each change judged by the rules; a change none names, or an edit that changes nothing in the schema, is still an error. */
function editedFeatures(input: HistoryInput, byName: ReadonlyMap<string, Feature>): Diagnostic[] {
  const { shipped, canon, existing } = input;
  const changed = shipped.entries.filter((e) => {
    const f = byName.get(e.feature);
    return f !== undefined && (f.draft || !sameSnapshot(withoutSql(snapshotFeature(f)), withoutSql(e.spec), canon));
  });
  if (changed.length === 0) return [];
  const gone = new Set(shipped.entries.filter((e) => !byName.has(e.feature)).map((e) => e.feature));
  const old = fold(lockFeatures(input), existing, () => false);
  const names = new Set(shipped.entries.map((e) => e.feature));
  const remaining = featuresInOrder(input.spec).filter((f) => names.has(f.name));
  const now = fold(remaining, existing, () => false);
  const all = [...diffStates(onlyFeatureItems(old.state), onlyFeatureItems(now.state), canon), ...diffEnums(old.enums, now.enums)];
  const changes = all.filter((c) => {
    const who = changeFeature(c);
    return who !== null && !gone.has(who);
  });
  const out: Diagnostic[] = [];
  for (const change of changes) {
    const span = locateHistory(change, byName);
    const found = judge({ kind: 'change', span, change });
    out.push(...(found.length ? found : judge({ kind: 'unexplained-change', span, change })));
  }
  const named = new Set(changes.map(changeFeature));
  for (const e of changed) {
    if (named.has(e.feature)) continue;
    const feature = byName.get(e.feature)!;
    const where = feature.draft
      ? 'it is now in a draft phase'
      : `the spec differs from what was emitted at \`${firstDifference(withoutSql(e.spec), withoutSql(snapshotFeature(feature)))}\``;
    out.push(...judge({ kind: 'edited-feature', span: feature.span, feature, entry: e, where }));
  }
  return out;
}
