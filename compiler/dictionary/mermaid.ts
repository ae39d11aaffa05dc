/**
 * The entity-relationship diagram of the data dictionary, as a Mermaid
 * `erDiagram` (GitHub renders it).
 *
 * Input: the tables of an environment and the tables they reference.
 * Output: the lines of the diagram, without the code fence.
 */
import type { Column } from '../model/types.js';
import type { TableState } from '../diff/state.js';
import type { SqlParser } from '../sql/parser.js';
import { checkType } from '../sql/fragments.js';
import { typeParts } from '../typegen/index.js';

/** A Mermaid entity name, always quoted: unquoted, a table named `end`, `one` or `style` would read as a keyword. */
function entity(schema: string, name: string): string {
  return `"${schema === 'public' ? name : `${schema}.${name}`}"`;
}

/** An attribute name; `pk`, `fk` and `uk` would read as key markers, so they go in backticks. */
function attributeName(name: string): string {
  return /^(pk|fk|uk)$/i.test(name) ? `\`${name}\`` : name;
}

/** An attribute type Mermaid accepts (a letter, then letters, digits, -, _, () and []): as written where it can be, else the canonical name. */
function attributeType(column: Column, parser: SqlParser): string {
  const written = column.type.value;
  if (/^[A-Za-z][A-Za-z0-9_\-()[\]]*$/.test(written)) return written;
  const checked = checkType(parser, written);
  const canonical = 'canonical' in checked ? checked.canonical : written;
  const { base, array } = typeParts(canonical);
  const safe = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z]+/, '');
  return `${safe || 'unknown'}${array ? '[]' : ''}`;
}

function keys(table: TableState, column: Column): string {
  const out: string[] = [];
  if (column.primaryKey) out.push('PK');
  if (column.references) out.push('FK');
  const pk = table.columns.filter((c) => c.column.primaryKey);
  if (column.unique && !(column.primaryKey && pk.length === 1)) out.push('UK');
  return out.length ? ` ${out.join(', ')}` : '';
}

/** One relationship line per foreign key: the referenced table's side, then the referencing table's. */
function relationship(table: TableState, column: Column): string {
  const ref = column.references!;
  const pk = table.columns.filter((c) => c.column.primaryKey);
  const required = column.notNull || column.primaryKey;
  const one = column.unique || (column.primaryKey && pk.length === 1);
  // Solid (identifying) when the key is part of the child's primary key, dashed otherwise.
  const line = column.primaryKey ? '--' : '..';
  return `  ${entity(ref.schema, ref.table)} ${required ? '||' : '|o'}${line}${one ? 'o|' : 'o{'} ${entity(table.schema, table.name)} : "${column.name}"`;
}

/** The diagram: referenced tables the spec does not describe (auth.users) first, then every table, then the relationships. */
export function erDiagram(tables: readonly TableState[], referenced: readonly TableState[], parser: SqlParser): string[] {
  const lines = ['erDiagram'];
  for (const t of [...referenced, ...tables]) {
    lines.push(`  ${entity(t.schema, t.name)} {`);
    for (const { column } of t.columns) lines.push(`    ${attributeType(column, parser)} ${attributeName(column.name)}${keys(t, column)}`);
    lines.push('  }');
  }
  for (const t of tables) for (const { column } of t.columns) if (column.references) lines.push(relationship(t, column));
  return lines;
}
