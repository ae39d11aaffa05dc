/**
 * Schema objects beside tables: enums, PostgreSQL extensions, and a
 * table's named constraints (`checks:`, `unique:`), its realtime
 * publication and its touched column.
 */
import { entry, type LEntry, type LNode } from '../load/index.js';
import { columnRefs } from '../sql/fragments.js';
import type { EnumType, Located, NamedCheck, NamedUnique } from './types.js';
import { DEFAULT_SCHEMA, map, str } from './columns.js';
import type { Reader } from './reader.js';

function located(node: LNode): Located<string> {
  return { value: str(node) ?? '', span: node.span };
}

function values(node: LNode | undefined): Array<Located<string>> {
  return node?.kind === 'seq' ? node.items.map(located) : [];
}

/** The name of an enum key (`trip_status`, or `schema.trip_status`), checked. */
function enumName(reader: Reader, e: LEntry): { schema: string; name: string } | null {
  const parts = e.key.split('.');
  const [schema, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [DEFAULT_SCHEMA, e.key];
  for (const part of parts) if (!reader.accept({ kind: 'name', span: e.keySpan, name: part, what: 'enum', role: 'declared' })) return null;
  return { schema, name };
}

/** `enums: { <name>: [values] }`: the enums a feature creates. */
export function readEnums(reader: Reader, node: LNode | undefined): EnumType[] {
  const out: EnumType[] = [];
  for (const e of map(node)) {
    const name = enumName(reader, e);
    if (!name) continue;
    const type: EnumType = { ...name, values: values(e.value), span: e.keySpan };
    reader.accept({ kind: 'enum', span: e.keySpan, type });
    out.push(type);
  }
  return out;
}

/** An `extend:` entry that adds values to an enum (`{ values: [...] }`), or null when it extends a table. */
export function readEnumValues(reader: Reader, e: LEntry): EnumType | null {
  const list = entry(e.value, 'values');
  if (!list) return null;
  const name = enumName(reader, e);
  if (!name) return null;
  const type: EnumType = { ...name, values: values(list.value), span: e.keySpan };
  reader.accept({ kind: 'enum', span: e.keySpan, type });
  return type;
}

/** `extensions: [postgis, pg_trgm]`. */
export function readExtensionList(reader: Reader, node: LNode | undefined): Array<Located<string>> {
  const out = values(node);
  for (const x of out) reader.accept({ kind: 'extension', span: x.span, name: x.value });
  return out;
}

/** A table's `checks: { <name>: <expression> }`. */
export function readChecks(reader: Reader, node: LNode | undefined): NamedCheck[] {
  const out: NamedCheck[] = [];
  for (const e of map(node)) {
    const name = { value: e.key, span: e.keySpan };
    if (!reader.accept({ kind: 'name', span: e.keySpan, name: e.key, what: 'constraint', role: 'declared' })) continue;
    const expression = located(e.value);
    const valid = reader.accept({ kind: 'expression', span: expression.span, value: expression, what: 'check', parser: reader.parser });
    out.push({ name, expression, columns: valid ? columnRefs(reader.parser, expression.value) : [] });
  }
  return out;
}

/** A table's `unique: { <name>: [columns] }`. */
export function readUniques(reader: Reader, node: LNode | undefined): NamedUnique[] {
  const out: NamedUnique[] = [];
  for (const e of map(node)) {
    if (!reader.accept({ kind: 'name', span: e.keySpan, name: e.key, what: 'constraint', role: 'declared' })) continue;
    out.push({ name: { value: e.key, span: e.keySpan }, columns: { value: values(e.value).map((v) => v.value), span: e.value.span } });
  }
  return out;
}

/** `realtime: true` and `touch: <column>` of a table or an extension. */
export function readPublishing(node: LNode): { realtime: Located<true> | null; touch: Located<string> | null } {
  const realtime = entry(node, 'realtime');
  const touch = entry(node, 'touch');
  return {
    realtime: realtime && realtime.value.kind === 'scalar' && realtime.value.value === true ? { value: true, span: realtime.keySpan } : null,
    touch: touch ? located(touch.value) : null,
  };
}
