/**
 * One table of a catalog as pamc's column declarations: what fits a column
 * (type, not null, primary key, unique, default, references, one check,
 * comment), and what does not, said in words.
 *
 * Input: a table's columns and constraints (./catalog.ts), a loaded
 * SqlParser. Output: PulledColumn entries in table order, and Omissions.
 */
import type { SqlParser } from '../sql/parser.js';
import { checkExpression, checkType, columnRefs } from '../sql/fragments.js';
import { IDENTIFIER, MAX_IDENTIFIER_BYTES, byteLength } from '../sql/ident.js';
import type { CatalogColumn, CatalogConstraint } from './catalog.js';

/** Omission is something of the database the written file does not declare; `table` is null for a whole relation. */
export interface Omission {
  table: string | null;
  what: string;
}

/** PulledColumn is one column's keys, in the order a phase file writes them. */
export interface PulledColumn {
  name: string;
  keys: Array<[string, string | boolean]>;
}

const ON_DELETE: Record<string, string> = { r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const REFERENCE = /^([a-z_][a-z0-9_]*\.)?[a-z_][a-z0-9_]*\([a-z_][a-z0-9_]*\)$/;
const TYPE_KINDS: Record<string, string> = { e: 'an enum', d: 'a domain', c: 'a composite type', r: 'a range type', m: 'a multirange type' };

/** Whether pamc accepts `name` as a table or column name. */
export function validName(name: string): boolean {
  return IDENTIFIER.test(name) && byteLength(name) <= MAX_IDENTIFIER_BYTES;
}

/** Text on one line, for a YAML comment or a line of output. */
export function flat(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** ColumnContext is what the columns of one table are read with. */
interface ColumnContext {
  table: string;
  parser: SqlParser;
  omitted: Omission[];
}

function note(ctx: ColumnContext, what: string): void {
  ctx.omitted.push({ table: ctx.table, what });
}

/** The keys a column's own attributes give: type, not null, default, comment. */
function ownKeys(c: CatalogColumn, ctx: ColumnContext): PulledColumn | null {
  if (!validName(c.name)) {
    note(ctx, `column \`${c.name}\` (${c.type}): not a name pamc accepts (lower-case letters, digits and _, at most 63 bytes)`);
    return null;
  }
  const type = checkType(ctx.parser, c.type);
  if ('message' in type) {
    note(ctx, `column \`${c.name}\`: its type \`${c.type}\` is not one pamc can write (${type.message})`);
    return null;
  }
  const keys: PulledColumn['keys'] = [['type', c.type]];
  if (c.notNull) keys.push(['not_null', true]);
  if (TYPE_KINDS[c.typeKind]) note(ctx, `column \`${c.name}\`: its type \`${c.type}\` is ${TYPE_KINDS[c.typeKind]}, which pamc does not declare`);
  if (c.identity) note(ctx, `column \`${c.name}\`: GENERATED ${c.identity === 'a' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  if (c.generated && c.default !== null) note(ctx, `column \`${c.name}\`: GENERATED ALWAYS AS (${flat(c.default)}) STORED`);
  else if (c.default !== null) {
    const problem = checkExpression(ctx.parser, c.default, 'default');
    const refs = problem ? [] : columnRefs(ctx.parser, c.default);
    if (problem) note(ctx, `column \`${c.name}\`: default \`${flat(c.default)}\` (${problem.message})`);
    else if (refs.length) note(ctx, `column \`${c.name}\`: default \`${flat(c.default)}\` names \`${refs[0]}\``);
    else keys.push(['default', flat(c.default)]);
  }
  if (c.comment !== null) keys.push(['comment', c.comment]);
  return { name: c.name, keys };
}

/** Applies one constraint to the columns; false when it does not fit a column (the caller notes it). */
function applyConstraint(k: CatalogConstraint, byName: Map<string, PulledColumn>, ctx: ColumnContext): boolean {
  const column = k.columns.length === 1 ? byName.get(k.columns[0]!) : undefined;
  const has = (key: string): boolean => column?.keys.some(([name]) => name === key) ?? false;
  switch (k.type) {
    case 'p':
      if (!k.columns.every((c) => byName.has(c))) return false;
      for (const c of k.columns) {
        const pc = byName.get(c)!;
        pc.keys = pc.keys.filter(([key]) => key !== 'not_null');
        pc.keys.push(['primary_key', true]);
      }
      return true;
    case 'u':
      if (!column || has('unique') || k.deferrable) return false;
      column.keys.push(['unique', true]);
      return true;
    case 'f':
      return applyForeignKey(k, column, has('references'), ctx);
    case 'c':
      return applyCheck(k, column, has('check'), ctx);
    case 'n':
      return true;
    default:
      return false;
  }
}

function applyForeignKey(k: CatalogConstraint, column: PulledColumn | undefined, taken: boolean, ctx: ColumnContext): boolean {
  if (!column || taken || k.refColumns.length !== 1 || k.deferrable) return false;
  const target = `${k.refSchema === 'public' ? '' : `${k.refSchema}.`}${k.refTable}(${k.refColumns[0]})`;
  if (!REFERENCE.test(target)) return false;
  column.keys.push(['references', target]);
  if (ON_DELETE[k.onDelete]) column.keys.push(['on_delete', ON_DELETE[k.onDelete]!]);
  if (k.onUpdate !== 'a') note(ctx, `foreign key ${k.name}: its ON UPDATE action (${flat(k.definition)}); the reference itself is declared`);
  return true;
}

function applyCheck(k: CatalogConstraint, column: PulledColumn | undefined, taken: boolean, ctx: ColumnContext): boolean {
  if (!column || taken || k.expression === null) return false;
  if (checkExpression(ctx.parser, k.expression, 'check')) return false;
  if (columnRefs(ctx.parser, k.expression).some((r) => r !== column.name)) return false;
  column.keys.push(['check', flat(k.expression)]);
  return true;
}

/** The order a column's keys are written in, as the README's examples write them. */
const KEY_ORDER = ['type', 'primary_key', 'not_null', 'unique', 'default', 'references', 'on_delete', 'check', 'comment'];

const KIND: Record<string, string> = {
  p: 'primary key',
  u: 'unique constraint',
  f: 'foreign key',
  c: 'check constraint',
  x: 'exclusion constraint',
  t: 'constraint trigger',
};

/** The columns of one table and what of it does not fit them. */
export function pullColumns(
  table: string,
  columns: readonly CatalogColumn[],
  constraints: readonly CatalogConstraint[],
  parser: SqlParser,
  omitted: Omission[],
): PulledColumn[] {
  const ctx: ColumnContext = { table, parser, omitted };
  const pulled = columns.map((c) => ownKeys(c, ctx)).filter((c): c is PulledColumn => c !== null);
  const byName = new Map(pulled.map((c) => [c.name, c]));
  // Primary keys first, so a column's not_null gives way to primary_key before anything else is added.
  const ordered = [...constraints].sort((a, b) => (a.type === 'p' ? 0 : 1) - (b.type === 'p' ? 0 : 1));
  for (const k of ordered) {
    if (applyConstraint(k, byName, ctx)) continue;
    note(ctx, `${KIND[k.type] ?? 'constraint'} ${k.name}: ${flat(k.definition)}`);
  }
  for (const c of pulled) c.keys.sort(([a], [b]) => KEY_ORDER.indexOf(a) - KEY_ORDER.indexOf(b));
  return pulled;
}
