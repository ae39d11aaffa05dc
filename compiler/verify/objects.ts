/**
 * Drift of the schema objects beside columns, keys and access: enums and
 * their values, extensions, the realtime publication, and the triggers
 * pamc creates (a touched column's).
 *
 * Input: ExpectedObjects (from the fold, ./expected) and the rows of
 * OBJECT_QUERIES. Output: Drift[], named by object.
 */
import type { Drift } from './compare.js';

/** What the spec's migrations create besides tables: as "schema.name" keys. */
export interface ExpectedObjects {
  enums: Array<{ key: string; values: string[] }>;
  extensions: string[];
  /** Tables in the supabase_realtime publication. */
  realtime: string[];
  /** Triggers pamc creates, per table. */
  triggers: Array<{ key: string; name: string }>;
}

/** The catalog queries of objects; those that mention $1 take the text[] of "schema.table" keys. */
export const OBJECT_QUERIES = {
  enums: `SELECT n.nspname || '.' || t.typname AS key,
  ARRAY(SELECT e.enumlabel::text FROM pg_catalog.pg_enum e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder) AS labels
FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'e'`,
  extensions: `SELECT e.extname AS name, n.nspname AS schema FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace`,
  realtime: `SELECT p.schemaname || '.' || p.tablename AS key FROM pg_catalog.pg_publication_tables p
WHERE p.pubname = 'supabase_realtime' AND p.schemaname || '.' || p.tablename = ANY ($1::text[])`,
  triggers: `SELECT n.nspname || '.' || c.relname AS key, t.tgname AS name
FROM pg_catalog.pg_trigger t JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE NOT t.tgisinternal AND n.nspname || '.' || c.relname = ANY ($1::text[])`,
} as const;

type Rows = ReadonlyArray<Record<string, unknown>>;

function labels(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  if (typeof v === 'string' && v.startsWith('{'))
    return v.slice(1, -1) === ''
      ? []
      : v
          .slice(1, -1)
          .split(',')
          .map((s) => s.replace(/^"(.*)"$/, '$1'));
  return [];
}

/** How messages show a key: no schema for public. */
function shown(key: string): string {
  return key.startsWith('public.') ? key.slice('public.'.length) : key;
}

/** Compares the objects the spec creates with the rows of OBJECT_QUERIES (`tables`: the keys verify looked at). */
export function compareObjects(expected: ExpectedObjects, rows: Record<keyof typeof OBJECT_QUERIES, Rows>, tables: readonly string[]): Drift[] {
  const out: Drift[] = [];
  const enums = new Map(rows.enums.map((r) => [String(r.key), labels(r.labels)]));
  for (const e of expected.enums) {
    const has = enums.get(e.key);
    const table = `enum ${shown(e.key)}`;
    if (!has) out.push({ table, column: null, message: 'enum missing' });
    else if (has.join(',') !== e.values.join(','))
      out.push({ table, column: null, message: `has values (${has.join(', ')}), spec says (${e.values.join(', ')})` });
  }
  const extensions = new Map(rows.extensions.map((r) => [String(r.name), String(r.schema)]));
  for (const x of expected.extensions) {
    const schema = extensions.get(x);
    if (schema === undefined) out.push({ table: `extension ${x}`, column: null, message: 'extension missing' });
    else if (schema !== 'extensions') out.push({ table: `extension ${x}`, column: null, message: `is in schema ${schema}, spec says extensions` });
  }
  const realtime = new Set(rows.realtime.map((r) => String(r.key)));
  for (const key of tables) {
    const want = expected.realtime.includes(key);
    if (want && !realtime.has(key))
      out.push({ table: shown(key), column: null, message: 'is not in the supabase_realtime publication, spec says realtime: true' });
    if (!want && realtime.has(key)) out.push({ table: shown(key), column: null, message: 'is in the supabase_realtime publication, spec says not' });
  }
  const triggers = new Set(rows.triggers.map((r) => `${String(r.key)}/${String(r.name)}`));
  for (const t of expected.triggers)
    if (!triggers.has(`${t.key}/${t.name}`)) out.push({ table: shown(t.key), column: null, message: `trigger ${t.name} missing` });
  return out;
}
