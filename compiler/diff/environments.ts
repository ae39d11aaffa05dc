/**
 * The spec folded once per environment: production (its features), staging
 * (every ready feature) and the drafts (everything, so draft phases are
 * checked in place). Each feature's delta comes from the fold of the
 * environment it is emitted for.
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { featuresInOrder, type Feature, type Spec } from '../model/types.js';
import type { AdditiveChange } from './changes.js';
import { fold, type FoldResult } from './fold.js';

/** Folds is the folds of a spec and each feature's delta. */
export interface Folds {
  /** Every feature, in fold order. */
  all: Feature[];
  /** The features that are not in a draft phase. */
  ready: Feature[];
  production: FoldResult;
  diagnostics: Diagnostic[];
  /** The additive changes a feature's migration makes (a draft's, as checked in place). */
  deltaOf(feature: Feature): AdditiveChange[];
}

export function stagingOnly(f: Feature): boolean {
  return !f.environments.includes('production');
}

/** Folds `spec` per environment. Where two environments fold the same features, the first fold serves both. */
export function foldEnvironments(spec: Spec): Folds {
  const all = featuresInOrder(spec);
  const existing = spec.phases.flatMap((p) => p.existing);
  const ready = all.filter((f) => !f.draft);
  const productionFeatures = ready.filter((f) => !stagingOnly(f));
  const production = fold(productionFeatures, existing, (f) => !f.draft, all);
  const staging = ready.length === productionFeatures.length ? { ...production, diagnostics: [] } : fold(ready, existing, stagingOnly, all);
  const drafts = all.length === ready.length ? { ...staging, diagnostics: [] } : fold(all, existing, (f) => f.draft, all);
  const deltaOf = (f: Feature): AdditiveChange[] => (f.draft ? drafts : stagingOnly(f) ? staging : production).changes.get(f.name) ?? [];
  return { all, ready, production, diagnostics: [...production.diagnostics, ...staging.diagnostics, ...drafts.diagnostics], deltaOf };
}
