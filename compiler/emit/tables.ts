/**
 * The SQL of tables: CREATE TABLE with named constraints, added columns,
 * indexes. Every statement is idempotent (IF NOT EXISTS).
 */
import type { Column, Index } from '../model/types.js';
import { PLAIN_KEY } from '../model/columns.js';
import { checkName, foreignKeyName, inCheckName, ownerIndexName, primaryKeyName, uniqueName } from '../model/names.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import { needsOwnerIndex } from '../diff/fold.js';
import { ownerColumn, type TableState } from '../diff/state.js';

function defaultSql(expr: string): string {
  const simple = /^(-?\d+(\.\d+)?|true|false|null|'(?:[^']|'')*'(::[a-z_][a-z0-9_ ]*)?|[a-z_][a-z0-9_.]*\(\))$/i;
  return simple.test(expr) ? expr : `(${expr})`;
}

function inList(values: ReadonlyArray<string | number>): string {
  return values.map((v) => (typeof v === 'number' ? String(v) : quoteLiteral(v))).join(', ');
}

function columnDefinition(c: Column): string {
  let sql = `${quoteIdent(c.name)} ${c.type.value}`;
  if (c.identity) sql += ` GENERATED ${c.identity === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
  if (c.default) sql += ` DEFAULT ${defaultSql(c.default.value)}`;
  if (c.notNull) sql += ' NOT NULL';
  return sql;
}

function referenceSql(c: Column): string {
  const ref = c.references!;
  const onDelete = ref.onDelete ? ` ON DELETE ${ref.onDelete.toUpperCase()}` : '';
  const onUpdate = ref.onUpdate ? ` ON UPDATE ${ref.onUpdate.toUpperCase()}` : '';
  return `REFERENCES ${qualified(ref.schema, ref.table)} (${quoteIdent(ref.column)})${onDelete}${onUpdate}`;
}

/** Table-level constraints derived from a column, as [name, body] pairs. */
function columnConstraints(table: string, c: Column): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (c.unique) out.push([uniqueName(table, c.name), `UNIQUE (${quoteIdent(c.name)})`]);
  if (c.references) out.push([foreignKeyName(table, c.name), `FOREIGN KEY (${quoteIdent(c.name)}) ${referenceSql(c)}`]);
  if (c.in) out.push([inCheckName(table, c.name), `CHECK (${quoteIdent(c.name)} IN (${inList(c.in.value)}))`]);
  if (c.check) out.push([checkName(table, c), `CHECK (${c.check.value})`]);
  return out;
}

/** A new table: CREATE TABLE with its constraints, comments and indexes (its access comes after: ./access.ts). */
export function createTable(t: TableState): string[] {
  const name = qualified(t.schema, t.name);
  const lines = t.columns.map((c) => columnDefinition(c.column));
  const pk = t.columns.filter((c) => c.column.primaryKey).map((c) => quoteIdent(c.column.name));
  if (pk.length) lines.push(`CONSTRAINT ${quoteIdent(primaryKeyName(t.name))} PRIMARY KEY (${pk.join(', ')})`);
  for (const c of t.columns) for (const [cname, body] of columnConstraints(t.name, c.column)) lines.push(`CONSTRAINT ${quoteIdent(cname)} ${body}`);
  for (const c of t.checks) lines.push(`CONSTRAINT ${quoteIdent(c.name.value)} CHECK (${c.expression.value})`);
  for (const u of t.uniques) lines.push(`CONSTRAINT ${quoteIdent(u.name.value)} UNIQUE (${u.columns.value.map(quoteIdent).join(', ')})`);
  const out = [`CREATE TABLE IF NOT EXISTS ${name} (\n  ${lines.join(',\n  ')}\n);`];
  if (t.comment !== null) out.push(`COMMENT ON TABLE ${name} IS ${quoteLiteral(t.comment)};`);
  for (const c of t.columns)
    if (c.column.comment !== null) out.push(`COMMENT ON COLUMN ${name}.${quoteIdent(c.column.name)} IS ${quoteLiteral(c.column.comment)};`);
  for (const i of t.indexes) out.push(createIndex(t, i.index));
  const owner = ownerColumn(t.rls);
  if (owner && needsOwnerIndex(t, owner))
    out.push(createIndex(t, { name: ownerIndexName(t.name, owner), keys: [owner], method: null, unique: false, where: null }));
  return out;
}

/** A column added to a table that exists. */
export function addColumn(t: TableState, c: Column): string[] {
  const name = qualified(t.schema, t.name);
  const parts = [columnDefinition(c)];
  if (c.primaryKey) parts.push(`CONSTRAINT ${quoteIdent(primaryKeyName(t.name))} PRIMARY KEY`);
  if (c.unique) parts.push(`CONSTRAINT ${quoteIdent(uniqueName(t.name, c.name))} UNIQUE`);
  if (c.references) parts.push(`CONSTRAINT ${quoteIdent(foreignKeyName(t.name, c.name))} ${referenceSql(c)}`);
  if (c.in) parts.push(`CONSTRAINT ${quoteIdent(inCheckName(t.name, c.name))} CHECK (${quoteIdent(c.name)} IN (${inList(c.in.value)}))`);
  if (c.check) parts.push(`CONSTRAINT ${quoteIdent(checkName(t.name, c))} CHECK (${c.check.value})`);
  const out = [`ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${parts.join(' ')};`];
  if (c.comment !== null) out.push(`COMMENT ON COLUMN ${name}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)};`);
  return out;
}

/** An index key as SQL: a column (quoted) with its operator class and order, or an expression in parentheses with its order. */
function keySql(key: string): string {
  const m = /^(.*?)((?:\s+(?:asc|desc))?(?:\s+nulls\s+(?:first|last))?)$/i.exec(key.trim())!;
  const order = m[2]!.trim().replace(/\s+/g, ' ').toUpperCase();
  const plain = PLAIN_KEY.exec(key.trim());
  const sql = plain ? `${quoteIdent(plain[1]!)}${plain[2] ? ` ${plain[2]}` : ''}` : `(${m[1]!})`;
  return order ? `${sql} ${order}` : sql;
}

/** CREATE INDEX IF NOT EXISTS, with its method (USING, btree omitted), keys and predicate. */
export function createIndex(t: TableState, index: Pick<Index, 'name' | 'keys' | 'method' | 'unique' | 'where'>): string {
  const using = index.method && index.method !== 'btree' ? ` USING ${index.method}` : '';
  const where = index.where ? ` WHERE (${index.where.value})` : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(index.name)} ON ${qualified(t.schema, t.name)}${using} (${index.keys.map(keySql).join(', ')})${where};`;
}
