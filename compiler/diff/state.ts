/**
 * The cumulative schema: what the database holds after a prefix of features.
 *
 * Every item remembers the feature that created it (its origin), so that a
 * change found later can be attributed to, and reported at, that feature.
 */
import type { Span } from '../report/diagnostic.js';
import type { Column, Index, Operation, OwnerRls, RlsWaiver } from '../model/types.js';

/** Origin names who created an item: a feature, a declared existing table, or the platform (auth.users). */
export type Origin = { kind: 'feature'; feature: string; span: Span } | { kind: 'existing'; span: Span } | { kind: 'builtin' };

/** ColumnState is a column of the cumulative schema. */
export interface ColumnState {
  column: Column;
  origin: Origin;
}

/** IndexState is an index of the cumulative schema. */
export interface IndexState {
  index: Index;
  origin: Origin;
}

/** PermissionState is one allowed operation of an owner rule, with the feature that allowed it. */
export interface PermissionState {
  operation: Operation;
  origin: Origin;
  span: Span;
}

/** RlsState is the row level security of a table: an owner rule, a waiver, or none (tables pamc did not create). */
export type RlsState =
  | { kind: 'owner'; rule: OwnerRls; permissions: PermissionState[]; origin: Origin }
  | { kind: 'disabled'; waiver: RlsWaiver; origin: Origin }
  | { kind: 'unmanaged' };

/** TableState is a table of the cumulative schema. */
export interface TableState {
  schema: string;
  name: string;
  span: Span;
  comment: string | null;
  origin: Origin;
  columns: ColumnState[];
  indexes: IndexState[];
  rls: RlsState;
}

/** SchemaState is the cumulative schema, keyed by "schema.table". */
export type SchemaState = Map<string, TableState>;

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function originFeature(origin: Origin): string | null {
  return origin.kind === 'feature' ? origin.feature : null;
}

/** Copies a table so that folding further features leaves the copy as it was. */
export function cloneTable(t: TableState): TableState {
  return {
    ...t,
    columns: [...t.columns],
    indexes: [...t.indexes],
    rls: t.rls.kind === 'owner' ? { ...t.rls, permissions: [...t.rls.permissions] } : t.rls,
  };
}
