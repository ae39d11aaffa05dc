/**
 * Stage typegen: TypeScript types of a spec, in the shape that
 * `supabase gen types typescript` prints, without a database.
 *
 * Input: TypegenInput (a Spec, an environment, a loaded SqlParser for the
 * canonical spelling of types). Output: the text of a TypeScript module:
 * `Json`, `Database` (schema public: Tables with Row, Insert, Update and
 * Relationships; Enums, with the values later features add; Views,
 * Functions and CompositeTypes, empty: what SQL features create is not
 * read), the helper types `Tables<>`, `TablesInsert<>`, `TablesUpdate<>`,
 * `Enums<>`, `CompositeTypes<>`, and `Constants` (each enum's values).
 *
 * As Supabase prints them, tables and columns are in name order, and a
 * relationship is listed only where both tables are in the same schema.
 */
import type { Column, Environment, Spec } from '../model/types.js';
import { foreignKeyName } from '../model/names.js';
import type { SqlParser } from '../sql/parser.js';
import { checkType } from '../sql/fragments.js';
import type { TableState } from '../diff/state.js';
import { environmentEnums, environmentTables } from '../environment.js';
import { HELPER_TYPES } from './helpers.js';

/** Enums of schema public by name, each with its values in order (those later features add after). */
type EnumValues = ReadonlyMap<string, readonly string[]>;

/** TypegenInput is what the generator reads; `schemaDir` is only named in the header comment. */
export interface TypegenInput {
  spec: Spec;
  environment: Environment;
  parser: SqlParser;
  schemaDir: string;
}

const JSON_TYPE = `export type Json =
  | string
  | number
  | boolean
  | null
  | { [key: string]: Json | undefined }
  | Json[]`;

const STRING_TYPES = new Set([
  'bytea',
  'bpchar',
  'varchar',
  'date',
  'text',
  'citext',
  'time',
  'timetz',
  'timestamp',
  'timestamptz',
  'uuid',
  'vector',
  'interval',
]);
const NUMBER_TYPES = new Set(['int2', 'int4', 'int8', 'float4', 'float8', 'numeric']);
const SERIAL_TYPES = new Set(['smallserial', 'serial', 'bigserial', 'serial2', 'serial4', 'serial8']);

/** The base name of a canonical type (no schema, no modifiers, no array brackets) and whether it is an array. */
export function typeParts(canonical: string): { base: string; array: boolean } {
  const array = canonical.endsWith('[]');
  const withoutArray = canonical.replace(/(\[\])+$/, '');
  const paren = withoutArray.indexOf('(');
  const bare = paren >= 0 ? withoutArray.slice(0, paren) : withoutArray;
  const dot = bare.lastIndexOf('.');
  return { base: dot >= 0 ? bare.slice(dot + 1) : bare, array };
}

/** The TypeScript type of a PostgreSQL type, as Supabase maps it (unknown for what it does not know). */
export function tsType(canonical: string, enums: EnumValues = new Map()): string {
  const { base, array } = typeParts(canonical);
  let ts = 'unknown';
  const schema = /^"?([a-z_][a-z0-9_$]*)"?\./.exec(canonical)?.[1] ?? 'public';
  if (enums.has(base) && schema === 'public') ts = `Database["public"]["Enums"][${JSON.stringify(base)}]`;
  else if (base === 'bool') ts = 'boolean';
  else if (NUMBER_TYPES.has(base) || SERIAL_TYPES.has(base)) ts = 'number';
  else if (STRING_TYPES.has(base)) ts = 'string';
  else if (base === 'json' || base === 'jsonb') ts = 'Json';
  return array ? `${ts}[]` : ts;
}

/** ColumnFacts is what the Row, Insert and Update types need of a column. */
interface ColumnFacts {
  name: string;
  ts: string;
  nullable: boolean;
  /** It may be left out of an insert: it has a default, may be NULL, or is a serial or identity column. */
  optional: boolean;
}

function columnFacts(column: Column, parser: SqlParser, enums: EnumValues): ColumnFacts {
  const checked = checkType(parser, column.type.value);
  const canonical = 'canonical' in checked ? checked.canonical : column.type.value;
  const nullable = !column.notNull && !column.primaryKey;
  const serial = SERIAL_TYPES.has(typeParts(canonical).base);
  const generated = serial || column.identity !== null;
  return { name: column.name, ts: tsType(canonical, enums), nullable, optional: nullable || column.default !== null || generated };
}

const byName = <T extends { name: string }>(a: T, b: T): number => a.name.localeCompare(b.name, 'en');

function field(name: string, ts: string, nullable: boolean, optional: boolean): string {
  // `unknown` already includes null.
  return `${name}${optional ? '?' : ''}: ${nullable && ts !== 'unknown' ? `${ts} | null` : ts}`;
}

function block(indent: string, name: string, lines: readonly string[]): string {
  if (lines.length === 0) return `${indent}${name}: {}`;
  return `${indent}${name}: {\n${lines.map((l) => `${indent}  ${l}`).join('\n')}\n${indent}}`;
}

/** The Relationships entries of a table: one per foreign key to a table of the same schema. */
function relationships(table: TableState, indent: string): string {
  const pk = table.columns.filter((c) => c.column.primaryKey);
  const keys = table.columns
    .map((c) => c.column)
    .filter((c) => c.references !== null && c.references.schema === table.schema)
    .map((c) => ({
      name: foreignKeyName(table.name, c.name),
      column: c.name,
      oneToOne: c.unique || (pk.length === 1 && pk[0]!.column === c),
      target: c.references!,
    }))
    .sort(byName);
  if (keys.length === 0) return `${indent}Relationships: []`;
  const items = keys.map((k) =>
    [
      `${indent}  {`,
      `${indent}    foreignKeyName: ${JSON.stringify(k.name)}`,
      `${indent}    columns: ${JSON.stringify([k.column])}`,
      `${indent}    isOneToOne: ${k.oneToOne}`,
      `${indent}    referencedRelation: ${JSON.stringify(k.target.table)}`,
      `${indent}    referencedColumns: ${JSON.stringify([k.target.column])}`,
      `${indent}  },`,
    ].join('\n'),
  );
  return `${indent}Relationships: [\n${items.join('\n')}\n${indent}]`;
}

function tableType(table: TableState, parser: SqlParser, enums: EnumValues, indent: string): string {
  const columns = table.columns.map((c) => columnFacts(c.column, parser, enums)).sort(byName);
  const inner = `${indent}  `;
  return [
    `${indent}${table.name}: {`,
    block(
      inner,
      'Row',
      columns.map((c) => field(c.name, c.ts, c.nullable, false)),
    ),
    block(
      inner,
      'Insert',
      columns.map((c) => field(c.name, c.ts, c.nullable, c.optional)),
    ),
    block(
      inner,
      'Update',
      columns.map((c) => field(c.name, c.ts, c.nullable, true)),
    ),
    relationships(table, inner),
    `${indent}}`,
  ].join('\n');
}

const NONE = ['[_ in never]: never'];

/** The `Database` type: schema public and what it holds. */
function databaseType(tables: readonly TableState[], parser: SqlParser, enums: EnumValues): string {
  const indent = '      ';
  const tableTypes = [...tables].sort(byName).map((t) => tableType(t, parser, enums, indent));
  const enumTypes = [...enums.keys()].sort().map(
    (name) =>
      `${indent}${name}: ${enums
        .get(name)!
        .map((v) => JSON.stringify(v))
        .join(' | ')}`,
  );
  const section = (name: string, body: string[] | null): string => (body ? `    ${name}: {\n${body.join('\n')}\n    }` : block('    ', name, NONE));
  return [
    'export type Database = {',
    '  public: {',
    section('Tables', tableTypes.length ? tableTypes : null),
    section('Views', null),
    section('Functions', null),
    section('Enums', enumTypes.length ? enumTypes : null),
    section('CompositeTypes', null),
    '  }',
    '}',
  ].join('\n');
}

/** The TypeScript module for the tables of schema public in `input.environment`. */
export function generateTypes(input: TypegenInput): string {
  const tables = environmentTables(input.spec, input.environment).filter((t) => t.schema === 'public');
  const header = `// Generated by \`pamc types\` from ${input.schemaDir}/ (${input.environment}). Do not edit: run \`pamc types\` again.`;
  const enums: EnumValues = new Map(
    environmentEnums(input.spec, input.environment)
      .filter((e) => e.schema === 'public')
      .map((e) => [e.name, e.values.map((v) => v.value)]),
  );
  const values = [...enums.keys()].sort().map(
    (name) =>
      `      ${name}: [${enums
        .get(name)!
        .map((v) => JSON.stringify(v))
        .join(', ')}],`,
  );
  const constants = `export const Constants = {\n  public: {\n    Enums: {${values.length ? `\n${values.join('\n')}\n    ` : ''}},\n  },\n} as const`;
  return `${[header, JSON_TYPE, databaseType(tables, input.parser, enums), HELPER_TYPES, constants].join('\n\n')}\n`;
}
