/**
 * Changes: the typed difference between two schema states.
 *
 * Input: two SchemaStates (before, after).
 * Output: Change[]. For a new feature the list is additive and ../emit turns
 * each change into SQL; for an emitted feature whose spec was edited the list
 * is what ../rules judge. A drop plus an add of the same shape is reported as
 * a rename.
 */
import type { Span } from '../report/diagnostic.js';
import type { Column, Operation } from '../model/types.js';
import { inSet } from '../model/snapshot.js';
import type { ColumnState, EnumState, IndexState, RlsState, RuleState, SchemaState, TableState } from './state.js';
import type { HelperFunction } from './functions.js';
import { diffRls } from './rls-changes.js';

/** AddTable describes a table creation, with its columns, indexes, RLS and policies. */
export interface AddTable {
  kind: 'add_table';
  table: TableState;
}
/** DropTable describes a table that is no longer in the schema. */
export interface DropTable {
  kind: 'drop_table';
  table: TableState;
}
/** RenameTable describes a table dropped while a table of the same shape was added. */
export interface RenameTable {
  kind: 'rename_table';
  from: TableState;
  to: TableState;
}
/** AddColumn describes a column added to a table. */
export interface AddColumn {
  kind: 'add_column';
  table: TableState;
  column: ColumnState;
  tableExisted: boolean;
}
/** DropColumn describes a column that is no longer in its table. */
export interface DropColumn {
  kind: 'drop_column';
  table: TableState;
  column: ColumnState;
  /** Added columns of the same shape, when more than one column of that shape is dropped or added: one may be this one renamed, which cannot be told. */
  maybeRenamedTo?: string[];
}
/** RenameColumn describes a column dropped while a column of the same shape was added. */
export interface RenameColumn {
  kind: 'rename_column';
  table: TableState;
  from: ColumnState;
  to: ColumnState;
}
/** AlterColumn describes a column whose definition changed. */
export interface AlterColumn {
  kind: 'alter_column';
  table: TableState;
  before: ColumnState;
  after: ColumnState;
  typeChanged: boolean;
}
/** AddIndex describes an index added to a table. */
export interface AddIndex {
  kind: 'add_index';
  table: TableState;
  index: IndexState;
  newColumns: string[];
}
/** DropIndex describes an index that is no longer declared. */
export interface DropIndex {
  kind: 'drop_index';
  table: TableState;
  index: IndexState;
}
/** AlterIndex describes an index whose definition changed. */
export interface AlterIndex {
  kind: 'alter_index';
  table: TableState;
  before: IndexState;
  after: IndexState;
}
/** AddOperation describes an operation added to an access rule of a table (an owner rule gains `update`). */
export interface AddOperation {
  kind: 'add_operation';
  table: TableState;
  rule: RuleState;
  operation: Operation;
  span: Span;
}
/** DropOperation describes an operation an access rule no longer allows. */
export interface DropOperation {
  kind: 'drop_operation';
  table: TableState;
  rule: RuleState;
  operation: Operation;
}
/** AddRule describes an access rule added to a table (public, signed_in, parent, members or a policy). */
export interface AddRule {
  kind: 'add_rule';
  table: TableState;
  rule: RuleState;
  span: Span;
}
/** DropRule describes an access rule that is no longer on its table. */
export interface DropRule {
  kind: 'drop_rule';
  table: TableState;
  rule: RuleState;
}
/** AlterRule describes an access rule whose definition changed (owner column, where, group, roles, parent, a policy's text). */
export interface AlterRule {
  kind: 'alter_rule';
  table: TableState;
  before: RuleState;
  after: RuleState;
}
/** AddFunction describes a helper function a rule needs (membership or parent ownership), created once. */
export interface AddFunction {
  kind: 'add_function';
  fn: HelperFunction;
}
/** ExactGrants describes a table whose privileges for anon and authenticated are set to exactly what its rules allow. */
export interface ExactGrants {
  kind: 'exact_grants';
  table: TableState;
  span: Span;
}
/** AlterRls describes RLS being enabled, waived or left to the service role, or a changed label. */
export interface AlterRls {
  kind: 'alter_rls';
  table: TableState;
  before: RlsState;
  after: RlsState;
}

/** AddExtension describes a PostgreSQL extension the spec creates (once, in schema `extensions`). */
export interface AddExtension {
  kind: 'add_extension';
  name: string;
}
/** AddEnum describes an enum created, or values added to one (`added`: the new values, after `type.values` before them). */
export interface AddEnum {
  kind: 'add_enum';
  type: EnumState;
  /** null: the enum is new; otherwise the values an extension adds. */
  added: string[] | null;
}
/** AlterEnum describes a shipped enum whose values were removed, renamed or reordered (`after` null: the enum is gone). */
export interface AlterEnum {
  kind: 'alter_enum';
  before: EnumState;
  after: EnumState | null;
}
/** AddPublishing describes a table added to the realtime publication, or given a touched column. */
export interface AddPublishing {
  kind: 'add_realtime' | 'add_touch';
  table: TableState;
  span: Span;
}
/** DropTableObject describes a shipped named constraint, realtime publication or touched column that is no longer in the spec, or changed. */
export interface DropTableObject {
  kind: 'drop_table_object';
  table: TableState;
  /** What it was, in words: "check constraint `trips_dates`", "the realtime publication". */
  what: string;
  changed: boolean;
}

/** Change is one difference between two schema states. */
export type Change =
  | AddTable
  | DropTable
  | RenameTable
  | AddColumn
  | DropColumn
  | RenameColumn
  | AlterColumn
  | AddIndex
  | DropIndex
  | AlterIndex
  | AddOperation
  | DropOperation
  | AddRule
  | DropRule
  | AlterRule
  | AddFunction
  | ExactGrants
  | AlterRls
  | AddExtension
  | AddEnum
  | AlterEnum
  | AddPublishing
  | DropTableObject;

/** AdditiveChange is the subset of changes a migration may contain. */
export type AdditiveChange = AddTable | AddColumn | AddIndex | AddOperation | AddRule | AddFunction | ExactGrants | AddExtension | AddEnum | AddPublishing;

/** Canonical text of a type, used to tell a retype from a respelling. Supplied by the SQL layer. */
export type TypeCanonicalizer = (type: string) => string;

/** The parts of a column that must match for a drop plus an add to count as a rename. */
function columnShape(c: Column, canon: TypeCanonicalizer): string {
  return JSON.stringify([
    canon(c.type.value),
    c.primaryKey,
    c.notNull,
    c.unique,
    c.default?.value ?? null,
    c.identity,
    c.references ? [c.references.schema, c.references.table, c.references.column, c.references.onDelete, c.references.onUpdate] : null,
    c.in ? inSet(c.in.value) : null,
    c.check?.value ?? null,
  ]);
}

function columnsEqual(a: Column, b: Column, canon: TypeCanonicalizer): boolean {
  return columnShape(a, canon) === columnShape(b, canon) && a.comment === b.comment;
}

function tableShape(t: TableState, canon: TypeCanonicalizer): string {
  return JSON.stringify(t.columns.map((c) => [c.column.name, columnShape(c.column, canon)]));
}

function indexEqual(a: IndexState, b: IndexState): boolean {
  return (
    a.index.name === b.index.name &&
    a.index.unique === b.index.unique &&
    JSON.stringify(a.index.keys) === JSON.stringify(b.index.keys) &&
    a.index.method === b.index.method &&
    (a.index.where?.value ?? null) === (b.index.where?.value ?? null)
  );
}

/** Computes the changes that turn `before` into `after`. Tables keep the order of `after`, drops come last. */
export function diffStates(before: SchemaState, after: SchemaState, canon: TypeCanonicalizer): Change[] {
  const changes: Change[] = [];
  const added: TableState[] = [];
  const dropped: TableState[] = [];
  for (const [key, table] of after) {
    const old = before.get(key);
    if (!old) added.push(table);
    else changes.push(...diffTable(old, table, canon));
  }
  for (const [key, table] of before) if (!after.has(key)) dropped.push(table);
  const renamedTo = new Set<TableState>();
  const removals: Change[] = [];
  for (const from of dropped) {
    const to = added.find((t) => !renamedTo.has(t) && tableShape(t, canon) === tableShape(from, canon));
    if (to) {
      renamedTo.add(to);
      removals.push({ kind: 'rename_table', from, to });
    } else removals.push({ kind: 'drop_table', table: from });
  }
  const additions: Change[] = added.filter((t) => !renamedTo.has(t)).map((table) => ({ kind: 'add_table', table }));
  return [...additions, ...changes, ...removals];
}

function diffTable(before: TableState, after: TableState, canon: TypeCanonicalizer): Change[] {
  const changes: Change[] = [];
  const addedColumns: ColumnState[] = [];
  for (const col of after.columns) {
    const old = before.columns.find((c) => c.column.name === col.column.name);
    if (!old) addedColumns.push(col);
    else if (!columnsEqual(old.column, col.column, canon))
      changes.push({ kind: 'alter_column', table: after, before: old, after: col, typeChanged: canon(old.column.type.value) !== canon(col.column.type.value) });
  }
  // A rename is a dropped column and an added one of the same shape, each the only one of that shape: with two of either, which became which cannot be told.
  const renamedTo = new Set<ColumnState>();
  const droppedColumns = before.columns.filter((old) => !after.columns.some((c) => c.column.name === old.column.name));
  const shape = (c: ColumnState): string => columnShape(c.column, canon);
  for (const old of droppedColumns) {
    const to = addedColumns.filter((c) => shape(c) === shape(old));
    const twins = droppedColumns.filter((c) => shape(c) === shape(old));
    if (to.length === 1 && twins.length === 1) {
      renamedTo.add(to[0]!);
      changes.push({ kind: 'rename_column', table: after, from: old, to: to[0]! });
    } else if (to.length) changes.push({ kind: 'drop_column', table: after, column: old, maybeRenamedTo: to.map((c) => c.column.name) });
    else changes.push({ kind: 'drop_column', table: after, column: old });
  }
  const columnAdds: Change[] = addedColumns
    .filter((c) => !renamedTo.has(c))
    .map((column) => ({ kind: 'add_column', table: after, column, tableExisted: true }));
  const beforeColumns = new Set(before.columns.map((c) => c.column.name));
  const indexChanges: Change[] = [];
  for (const idx of after.indexes) {
    const old = before.indexes.find((i) => i.index.name === idx.index.name);
    if (!old) indexChanges.push({ kind: 'add_index', table: after, index: idx, newColumns: idx.index.columns.filter((c) => !beforeColumns.has(c)) });
    else if (!indexEqual(old, idx)) indexChanges.push({ kind: 'alter_index', table: after, before: old, after: idx });
  }
  for (const old of before.indexes) {
    if (!after.indexes.some((i) => i.index.name === old.index.name)) indexChanges.push({ kind: 'drop_index', table: after, index: old });
  }
  const rlsChanges = diffRls(before, after);
  return [...columnAdds, ...changes, ...indexChanges, ...rlsChanges, ...diffTableObjects(before, after)];
}

/** Named constraints, the realtime publication and the touched column a shipped table no longer has, or has otherwise. */
function diffTableObjects(before: TableState, after: TableState): Change[] {
  const out: Change[] = [];
  const gone = (what: string, changed: boolean): void => void out.push({ kind: 'drop_table_object', table: after, what, changed });
  for (const c of before.checks) {
    const now = after.checks.find((x) => x.name.value === c.name.value);
    if (!now || now.expression.value !== c.expression.value) gone(`check constraint \`${c.name.value}\``, !!now);
  }
  for (const u of before.uniques) {
    const now = after.uniques.find((x) => x.name.value === u.name.value);
    if (!now || now.columns.value.join(',') !== u.columns.value.join(',')) gone(`unique constraint \`${u.name.value}\``, !!now);
  }
  if (before.realtime && !after.realtime) gone('realtime publication', false);
  if (before.touch && before.touch !== after.touch) gone(`touched column \`${before.touch}\``, after.touch !== null);
  return out;
}

/** Shipped enums whose values changed: gone, renamed, reordered, or added in the feature that shipped them. */
export function diffEnums(before: ReadonlyMap<string, EnumState>, after: ReadonlyMap<string, EnumState>): Change[] {
  const out: Change[] = [];
  for (const [key, old] of before) {
    const now = after.get(key) ?? null;
    if (!now || now.values.join('\u0000') !== old.values.join('\u0000')) out.push({ kind: 'alter_enum', before: old, after: now });
  }
  return out;
}
