/**
 * The fold of schema objects beside tables: PostgreSQL extensions and the
 * types they bring, enums and the values later features add, and what a
 * table carries besides columns (named constraints, realtime, a touched
 * column). Each adds to the cumulative state and to the feature's delta.
 */
import type { FoldFact } from '../rules/facts.js';
import type { Column, EnumType, Extension, Feature, Table } from '../model/types.js';
import { extensionTypes } from '../sql/extensions.js';
import type { AdditiveChange } from './changes.js';
import { cloneTable, tableKey, type EnumState, type Origin, type TableState } from './state.js';

/** ObjectContext is what folding objects reads and writes. */
export interface ObjectContext {
  /** Types that exist so far, as "schema.name" (PostgreSQL's own are known to the rules). */
  types: Set<string>;
  enums: Map<string, EnumState>;
  extensions: Set<string>;
  origin: Origin;
  delta: AdditiveChange[];
  accept: (fact: FoldFact) => boolean;
  /** A table of the state, if it exists. */
  table: (schema: string, name: string) => TableState | undefined;
}

/** Extensions first (their types), then enums and the values added to them: the tables of the feature may use both. */
export function foldTypes(ctx: ObjectContext, feature: Feature): void {
  for (const x of feature.extensions) {
    if (ctx.extensions.has(x.value)) continue;
    ctx.extensions.add(x.value);
    for (const t of extensionTypes(x.value)) ctx.types.add(`extensions.${t}`);
    ctx.delta.push({ kind: 'add_extension', name: x.value });
  }
  for (const type of feature.enums) createEnum(ctx, type);
  for (const type of feature.enumValues) addValues(ctx, type);
}

function createEnum(ctx: ObjectContext, type: EnumType): void {
  const key = tableKey(type.schema, type.name);
  const clash = ctx.enums.has(key) || ctx.types.has(key) ? 'an enum' : ctx.table(type.schema, type.name) ? 'a table' : null;
  if (!ctx.accept({ kind: 'create-enum', span: type.span, type, clash })) return;
  const state: EnumState = { schema: type.schema, name: type.name, values: type.values.map((v) => v.value), origin: ctx.origin };
  ctx.enums.set(key, state);
  ctx.types.add(key);
  ctx.delta.push({ kind: 'add_enum', type: { ...state, values: [...state.values] }, added: null });
}

function addValues(ctx: ObjectContext, type: EnumType): void {
  const target = ctx.enums.get(tableKey(type.schema, type.name));
  if (!ctx.accept({ kind: 'extend-enum', span: type.span, type, target })) return;
  const added = type.values.map((v) => v.value).filter((v) => !target!.values.includes(v));
  if (added.length === 0) return;
  const before = [...target!.values];
  target!.values.push(...added);
  ctx.delta.push({ kind: 'add_enum', type: { ...target!, values: before }, added });
}

/** Values a feature adds to enums: PostgreSQL lets no statement of the same transaction use them. */
export function valuesAddedBy(feature: Feature): Set<string> {
  return new Set(feature.enumValues.flatMap((e) => e.values.map((v) => v.value)));
}

/** What a column of `feature` must not do with the values it adds to an enum: use them in a default, `in:` or check. */
export function enumUses(ctx: ObjectContext, feature: Feature, column: Column): void {
  const added = valuesAddedBy(feature);
  if (added.size === 0) return;
  const texts = [column.default?.value, column.check?.value, ...(column.in?.value ?? []).map((v) => `'${String(v)}'`)].filter((t): t is string => !!t);
  for (const value of added) {
    if (texts.some((t) => t.includes(`'${value.replace(/'/g, "''")}'`))) ctx.accept({ kind: 'enum-use', span: column.span, column, value });
  }
}

/** What a new table carries besides columns: its named constraints and touched column name columns it has. */
export function tableObjects(ctx: ObjectContext, table: Table): void {
  const columns = table.columns.map((c) => c.name);
  for (const c of table.checks)
    ctx.accept({ kind: 'table-columns', span: c.expression.span, table: table.name, what: `check \`${c.name.value}\``, named: c.columns, columns });
  for (const u of table.uniques)
    ctx.accept({
      kind: 'table-columns',
      span: u.columns.span,
      table: table.name,
      what: `unique constraint \`${u.name.value}\``,
      named: u.columns.value,
      columns,
    });
  if (table.touch) touched(ctx, table.name, table.columns, table.touch);
}

function touched(
  ctx: ObjectContext,
  table: string,
  columns: readonly Column[],
  touch: { value: string; span: import('../report/diagnostic.js').Span },
): boolean {
  return ctx.accept({ kind: 'touch', span: touch.span, table, column: columns.find((c) => c.name === touch.value), name: touch.value });
}

/** An extension's `realtime: true` and `touch:` on a table that exists. */
export function extendPublishing(ctx: ObjectContext, ext: Extension, target: TableState): void {
  if (ext.realtime && !target.realtime) {
    target.realtime = true;
    ctx.delta.push({ kind: 'add_realtime', table: cloneTable(target), span: ext.realtime.span });
  }
  if (
    ext.touch &&
    touched(
      ctx,
      target.name,
      target.columns.map((c) => c.column),
      ext.touch,
    ) &&
    target.touch !== ext.touch.value
  ) {
    target.touch = ext.touch.value;
    ctx.delta.push({ kind: 'add_touch', table: cloneTable(target), span: ext.touch.span });
  }
}
