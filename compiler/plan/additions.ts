/**
 * Unsafe additions: the changes of features not emitted yet, judged where a
 * table may already hold rows (a table of an emitted feature, or one pamc did
 * not create). A table created by a feature that is not emitted yet is empty
 * wherever the migrations run.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Feature } from '../model/types.js';
import type { AdditiveChange } from '../diff/changes.js';
import type { TableState } from '../diff/state.js';

function locate(change: AdditiveChange, f: Feature): Span {
  switch (change.kind) {
    case 'add_column':
      return change.column.column.span;
    case 'add_index':
      return change.index.index.span;
    case 'add_rule':
      return change.span;
    default:
      return f.span;
  }
}

export function judgeAdditions(features: readonly Feature[], emitted: ReadonlySet<string>, deltaOf: (f: Feature) => AdditiveChange[]): Diagnostic[] {
  const mayHoldRows = (t: TableState): boolean => t.origin.kind !== 'feature' || emitted.has(t.origin.feature);
  const out: Diagnostic[] = [];
  for (const f of features) {
    if (emitted.has(f.name)) continue;
    for (const change of deltaOf(f)) {
      if ((change.kind === 'add_column' || change.kind === 'add_index' || change.kind === 'add_rule') && mayHoldRows(change.table)) {
        out.push(...judge({ kind: 'addition', span: locate(change, f), change }));
      }
    }
  }
  return out;
}
