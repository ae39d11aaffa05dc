/**
 * Reading columns and indexes of a table (or of an extension, or of a table
 * declared `existing:`) into the model. Part of stage 3 (./index.ts).
 */
import { readAcknowledgments } from './acknowledge.js';
import type { Span } from '../report/diagnostic.js';
import { entry, type LEntry, type LNode } from '../load/index.js';
import { checkType, columnRefs } from '../sql/fragments.js';
import type { Column, Index, Located, OnDelete, Reference } from './types.js';
import type { Reader } from './reader.js';

export const DEFAULT_SCHEMA = 'public';

export function str(node: LNode | undefined): string | null {
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : null;
}
export function bool(node: LNode | undefined): boolean {
  return node?.kind === 'scalar' && node.value === true;
}
export function located(node: LNode): Located<string> {
  return { value: node.kind === 'scalar' ? String(node.value).trim() : '', span: node.span };
}
export function map(node: LNode | undefined): LEntry[] {
  return node?.kind === 'map' ? node.entries : [];
}

/** The columns of a `columns:` mapping, in order; a column with an invalid name is left out. */
export function readColumns(reader: Reader, node: LNode | undefined): Column[] {
  const columns: Column[] = [];
  for (const e of map(node)) {
    if (!reader.accept({ kind: 'name', span: e.keySpan, name: e.key, what: 'column', role: 'declared' })) continue;
    columns.push(readColumn(reader, e));
  }
  return columns;
}

function readType(reader: Reader, node: LNode): { type: Located<string>; typeName: string[] | null } {
  const type = located(node);
  reader.accept({ kind: 'type', span: type.span, type, parser: reader.parser });
  const facts = checkType(reader.parser, type.value);
  return { type, typeName: 'name' in facts ? facts.name : null };
}

function readDefault(reader: Reader, node: LNode | undefined): Located<string> | null {
  if (node?.kind !== 'scalar') return null;
  if (typeof node.value !== 'string') return { value: String(node.value), span: node.span };
  const def = { value: node.value.trim(), span: node.span };
  reader.accept({ kind: 'expression', span: def.span, value: def, what: 'default', parser: reader.parser });
  return def;
}

function readCheck(reader: Reader, node: LNode | undefined): { check: Located<string> | null; checkColumns: string[] } {
  if (!node) return { check: null, checkColumns: [] };
  const check = located(node);
  const valid = reader.accept({ kind: 'expression', span: check.span, value: check, what: 'check', parser: reader.parser });
  return { check, checkColumns: valid ? columnRefs(reader.parser, check.value) : [] };
}

function readIn(node: LNode | undefined): Located<Array<string | number>> | null {
  if (node?.kind !== 'seq') return null;
  return {
    value: node.items.map((i) => (i.kind === 'scalar' && typeof i.value === 'number' ? i.value : String(i.kind === 'scalar' ? i.value : ''))),
    span: node.span,
  };
}

const REFERENCE = /^(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)\(([a-z_][a-z0-9_]*)\)$/;

function readReference(reader: Reader, node: LNode): Reference | null {
  const m = REFERENCE.exec(str(entry(node, 'references')?.value) ?? '');
  const onDelete = entry(node, 'on_delete');
  if (onDelete) reader.accept({ kind: 'on-delete', span: onDelete.keySpan, hasReference: entry(node, 'references') !== undefined });
  if (!m) return null;
  const span = entry(node, 'references')!.value.span;
  for (const part of [m[1], m[2], m[3]]) if (part) reader.accept({ kind: 'name', span, name: part, what: 'referenced name', role: 'referenced' });
  const onUpdate = entry(node, 'on_update');
  if (onUpdate) reader.accept({ kind: 'on-delete', span: onUpdate.keySpan, hasReference: entry(node, 'references') !== undefined });
  return {
    schema: m[1] ?? DEFAULT_SCHEMA,
    table: m[2]!,
    column: m[3]!,
    onDelete: (str(onDelete?.value) as OnDelete | null) ?? null,
    onUpdate: (str(onUpdate?.value) as OnDelete | null) ?? null,
    span,
  };
}

function readColumn(reader: Reader, e: LEntry): Column {
  const node = e.value;
  readAcknowledgments(reader, e);
  const bare = node.kind === 'scalar';
  const { check, checkColumns } = readCheck(reader, entry(node, 'check')?.value);
  const column: Column = {
    name: e.key,
    span: e.keySpan,
    ...readType(reader, bare ? node : entry(node, 'type')!.value),
    primaryKey: bool(entry(node, 'primary_key')?.value),
    notNull: bool(entry(node, 'not_null')?.value),
    unique: bool(entry(node, 'unique')?.value),
    default: readDefault(reader, entry(node, 'default')?.value),
    references: bare ? null : readReference(reader, node),
    in: readIn(entry(node, 'in')?.value),
    check,
    checkColumns,
    comment: str(entry(node, 'comment')?.value),
    identity: readIdentity(bare ? undefined : entry(node, 'identity')),
  };
  reader.accept({ kind: 'column', span: e.keySpan, column });
  return column;
}

/** `identity: true` (BY DEFAULT) or `identity: always`: PostgreSQL numbers the rows. */
function readIdentity(e: LEntry | undefined): Column['identity'] {
  if (!e || e.value.kind !== 'scalar' || e.value.value === false) return null;
  return e.value.value === 'always' ? 'always' : 'by default';
}

/** The indexes of an `indexes:` list; `columns` are the table's (null for an extension, whose table the fold knows). */
export function readIndexes(reader: Reader, table: string, node: LNode | undefined, columns: string[] | null): Index[] {
  if (node?.kind !== 'seq') return [];
  const indexes: Index[] = [];
  for (const item of node.items) {
    const index = readIndex(reader, table, item, columns);
    if (index) indexes.push(index);
  }
  return indexes;
}

/** A plain index key: a column, with its operator class, its order and where its NULLs go (`title gin_trgm_ops`, `created_at desc`). */
export const PLAIN_KEY =
  /^([a-z_][a-z0-9_]*)(?:\s+(?!(?:asc|desc|nulls)\b)([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?))?(?:\s+(?:asc|desc))?(?:\s+nulls\s+(?:first|last))?$/i;

/** The columns of one index key: a plain key's column, or the columns an expression names (parse-checked). */
function keyColumns(reader: Reader, key: string, span: Span): string[] | null {
  const plain = PLAIN_KEY.exec(key.trim());
  if (plain) return reader.accept({ kind: 'name', span, name: plain[1]!, what: 'index column', role: 'declared' }) ? [plain[1]!] : null;
  const expression = { value: key.trim().replace(/\s+(asc|desc)(\s+nulls\s+(first|last))?$/i, ''), span };
  if (!reader.accept({ kind: 'expression', span, value: expression, what: 'index key', parser: reader.parser })) return null;
  return columnRefs(reader.parser, expression.value);
}

function readIndex(reader: Reader, table: string, item: LNode, columns: string[] | null): Index | null {
  const cols = entry(item, 'columns')?.value;
  const keys = cols?.kind === 'seq' ? cols.items.map((c) => str(c) ?? '') : [];
  const names: string[] = [];
  let ok = true;
  for (const [i, key] of keys.entries()) {
    const span: Span = cols?.kind === 'seq' ? cols.items[i]!.span : item.span;
    const named = keyColumns(reader, key, span);
    if (!named) ok = false;
    for (const name of named ?? []) {
      if (columns && !reader.accept({ kind: 'index-column', span, table, name, columns })) ok = false;
      if (!names.includes(name)) names.push(name);
    }
  }
  const unique = bool(entry(item, 'unique')?.value);
  const nameEntry = entry(item, 'name');
  const written = str(nameEntry?.value);
  if (written !== null && !reader.accept({ kind: 'name', span: nameEntry!.value.span, name: written, what: 'index', role: 'declared' })) ok = false;
  const whereNode = entry(item, 'where')?.value;
  const where = whereNode ? located(whereNode) : null;
  if (where) reader.accept({ kind: 'expression', span: where.span, value: where, what: 'index predicate', parser: reader.parser });
  if (!ok) return null;
  return {
    name: written ?? `${table}_${names.join('_')}_${unique ? 'key' : 'idx'}`,
    columns: names,
    keys: keys.map((k) => k.trim()),
    method: str(entry(item, 'method')?.value),
    unique,
    where,
    span: item.span,
    derivedName: written === null,
  };
}
