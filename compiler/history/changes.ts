/**
 * Who a history change belongs to and where it is reported: the feature that
 * created the thing that changed, and its place in the new spec.
 */
import type { Span } from '../report/diagnostic.js';
import type { Feature } from '../model/types.js';
import type { Change } from '../diff/changes.js';
import { originFeature, type SchemaState, type TableState } from '../diff/state.js';

/** Keeps only what features created: declared existing tables and Supabase's are not pamc's to judge. */
export function onlyFeatureItems(state: SchemaState): SchemaState {
  const out: SchemaState = new Map();
  for (const [key, t] of state) {
    if (t.origin.kind === 'feature') out.set(key, t);
    else {
      const columns = t.columns.filter((c) => c.origin.kind === 'feature');
      const indexes = t.indexes.filter((i) => i.origin.kind === 'feature');
      if (columns.length || indexes.length) out.set(key, { ...t, columns, indexes });
    }
  }
  return out;
}

/** The feature a change belongs to: who created the thing that changed. */
export function changeFeature(c: Change): string | null {
  switch (c.kind) {
    case 'add_table':
    case 'drop_table':
      return originFeature(c.table.origin);
    case 'rename_table':
      return originFeature(c.from.origin);
    case 'add_column':
    case 'drop_column':
      return originFeature(c.column.origin);
    case 'rename_column':
      return originFeature(c.from.origin);
    case 'alter_column':
      return originFeature(c.after.origin);
    case 'add_index':
    case 'drop_index':
      return originFeature(c.index.origin);
    case 'alter_index':
      return originFeature(c.after.origin);
    case 'add_operation':
    case 'drop_operation':
    case 'add_rule':
    case 'drop_rule':
      return originFeature(c.rule.origin);
    case 'alter_rule':
      return originFeature(c.after.origin);
    case 'alter_rls':
    case 'exact_grants':
      return originFeature(c.table.origin);
    case 'add_function':
    case 'add_extension':
      return null;
    case 'add_enum':
      return originFeature(c.type.origin);
    case 'alter_enum':
      return originFeature(c.before.origin);
    case 'add_realtime':
    case 'add_touch':
    case 'drop_table_object':
      return originFeature(c.table.origin);
  }
}

/** Where in the feature that owns it a table is written (its `tables:` or `extend:` entry). */
function inFeature(byName: ReadonlyMap<string, Feature>, feature: string | null, table: TableState): Span {
  const f = feature ? byName.get(feature) : undefined;
  if (!f) return table.span;
  const own =
    f.tables.find((t) => t.schema === table.schema && t.name === table.name) ?? f.extends.find((x) => x.schema === table.schema && x.name === table.name);
  return own?.span ?? f.span;
}

/** Where a table's rules are written: the span of its first rule. */
function rlsSpan(table: TableState): Span | null {
  return table.rls.kind === 'rules' ? (table.rls.rules[0]?.rule.span ?? null) : null;
}

/** Where, in the new spec, a history change is reported. */
export function locateHistory(c: Change, byName: ReadonlyMap<string, Feature>): Span {
  switch (c.kind) {
    case 'add_table':
      return c.table.span;
    case 'drop_table':
      return byName.get(originFeature(c.table.origin) ?? '')?.span ?? c.table.span;
    case 'rename_table':
      return c.to.span;
    case 'add_column':
      return c.column.column.span;
    case 'drop_column':
      return inFeature(byName, originFeature(c.column.origin), c.table);
    case 'rename_column':
      return c.to.column.span;
    case 'alter_column':
      return c.after.column.span;
    case 'add_index':
      return c.index.index.span;
    case 'drop_index':
      return inFeature(byName, originFeature(c.index.origin), c.table);
    case 'alter_index':
      return c.after.index.span;
    case 'add_operation':
    case 'add_rule':
    case 'exact_grants':
      return c.span;
    case 'drop_operation':
      return c.rule.rule.kind === 'policy' ? c.rule.rule.span : c.rule.rule.allow.span;
    case 'drop_rule':
      return c.table.rls.kind === 'rules' ? (rlsSpan(c.table) ?? c.table.span) : c.table.span;
    case 'alter_rule':
      return c.after.rule.span;
    case 'alter_rls':
      return c.after.kind === 'rules' ? (rlsSpan(c.table) ?? c.table.span) : c.after.kind === 'disabled' ? c.after.waiver.span : c.table.span;
    case 'alter_enum': {
      const f = byName.get(originFeature(c.before.origin) ?? '');
      return f?.enums.find((e) => e.schema === c.before.schema && e.name === c.before.name)?.span ?? f?.span ?? { file: '', start: 0, end: 0 };
    }
    case 'add_function':
    case 'add_extension':
    case 'add_enum':
      return { file: '', start: 0, end: 0 };
    case 'add_realtime':
    case 'add_touch':
      return c.span;
    case 'drop_table_object':
      return inFeature(byName, originFeature(c.table.origin), c.table);
  }
}
