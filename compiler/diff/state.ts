/**
 * The cumulative schema: what the database holds after a prefix of features.
 *
 * Every item remembers the feature that created it (its origin), so that a
 * change found later can be attributed to, and reported at, that feature.
 */
import type { Span } from '../report/diagnostic.js';
import type { AccessRule, Column, Index, Located, NamedCheck, NamedUnique, Operation, RlsWaiver } from '../model/types.js';

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

/** PermissionState is one operation an access rule allows, with the feature that allowed it. */
export interface PermissionState {
  operation: Operation;
  origin: Origin;
  span: Span;
}

/**
 * RuleState is an access rule of a table, with its operations (an owner rule
 * gains operations in later features) and the feature that added it.
 * `key` names the rule among the table's: its kind, and for members rules
 * their place, for policies their name.
 */
export interface RuleState {
  rule: AccessRule;
  key: string;
  operations: PermissionState[];
  origin: Origin;
  /** Why a later feature added the rule to the table (widened access). */
  reason: Located<string> | null;
  /** For a parent rule: the parent table and the noun of its policy names, once the fold has found it. */
  parent?: { schema: string; name: string; label: string };
  /** For a members rule: the membership table and its column naming the group, once the fold has found them. */
  members?: { schema: string; name: string; groupColumn: string };
}

/**
 * RlsState is the row level security of a table: access rules (none: the
 * service role only), a waiver, or none at all (tables pamc did not create).
 * `exactGrants`: anon and authenticated hold exactly what the rules allow.
 */
export type RlsState =
  | { kind: 'rules'; label: string; serviceOnly: boolean; rules: RuleState[]; origin: Origin; exactGrants: boolean }
  | { kind: 'disabled'; waiver: RlsWaiver; origin: Origin; exactGrants: boolean }
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
  /** Named constraints (`checks:`, `unique:`). */
  checks: NamedCheck[];
  uniques: NamedUnique[];
  /** In the supabase_realtime publication. */
  realtime: boolean;
  /** The column a trigger keeps at now() on every update, or null. */
  touch: string | null;
}

/** EnumState is an enum of the cumulative schema: its values in order, and who created it. */
export interface EnumState {
  schema: string;
  name: string;
  values: string[];
  origin: Origin;
}

/** SchemaState is the cumulative schema, keyed by "schema.table". */
export type SchemaState = Map<string, TableState>;

export function tableKey(schema: string, name: string): string {
  return `${schema}.${name}`;
}

export function originFeature(origin: Origin): string | null {
  return origin.kind === 'feature' ? origin.feature : null;
}

/** The table's owner rule, if it has one. */
export function ownerState(rls: RlsState): RuleState | null {
  return rls.kind === 'rules' ? (rls.rules.find((r) => r.rule.kind === 'owner') ?? null) : null;
}

/** The owner column of a table with an owner rule. */
export function ownerColumn(rls: RlsState): string | null {
  const owner = ownerState(rls)?.rule;
  return owner?.kind === 'owner' ? owner.column.value : null;
}

/** The operations a rule allows, in the order select, insert, update, delete. */
export function ruleOperations(r: RuleState): Operation[] {
  return (['select', 'insert', 'update', 'delete'] as const).filter((op) => r.operations.some((p) => p.operation === op));
}

/** Copies a table so that folding further features leaves the copy as it was. */
export function cloneTable(t: TableState): TableState {
  return {
    ...t,
    columns: [...t.columns],
    indexes: [...t.indexes],
    checks: [...t.checks],
    uniques: [...t.uniques],
    rls: t.rls.kind === 'rules' ? { ...t.rls, rules: t.rls.rules.map((r) => ({ ...r, operations: [...r.operations] })) } : t.rls,
  };
}

/** A table pamc does not manage (auth.users, an `existing:` declaration): columns only. */
export function unmanagedTable(t: { schema: string; name: string; span: Span }, origin: Origin, columns: Column[]): TableState {
  return {
    schema: t.schema,
    name: t.name,
    span: t.span,
    comment: null,
    origin,
    columns: columns.map((column) => ({ column, origin })),
    indexes: [],
    rls: { kind: 'unmanaged' },
    checks: [],
    uniques: [],
    realtime: false,
    touch: null,
  };
}
