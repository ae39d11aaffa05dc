/**
 * The catalog: what a database actually holds for the tables verify looks at.
 *
 * Input: rows of the queries below (the runner executes them with one
 * parameter, the text[] of "schema.table" keys). Output: Catalog, plain data
 * that ../compare judges against the expected schema.
 */
import { OPERATIONS, type Operation } from '../model/types.js';

/** CatalogColumn is a column as pg_attribute describes it; `category` is pg_type.typcategory (of the base type for domains). */
export interface CatalogColumn {
  name: string;
  /** format_type(atttypid, atttypmod). */
  type: string;
  typeName: string;
  category: string;
  /** The first label of an enum type, for probe rows. */
  enumFirst: string | null;
  notNull: boolean;
  /** pg_get_expr of the default, or null. */
  default: string | null;
  /** Identity or generated: PostgreSQL fills it. */
  generated: boolean;
  /** GENERATED ALWAYS or BY DEFAULT AS IDENTITY, or null. */
  identity: 'always' | 'by default' | null;
}

/** ConstraintKind is pg_constraint.contype for the kinds verify compares. */
export type ConstraintKind = 'primary' | 'foreign' | 'check' | 'unique' | 'other';

/** CatalogConstraint is one constraint of a table. */
export interface CatalogConstraint {
  name: string;
  kind: ConstraintKind;
  columns: string[];
  target: { schema: string; table: string; columns: string[] } | null;
  /** The referential actions on delete and on update, in the spec's words, for foreign keys. */
  onDelete: string | null;
  onUpdate: string | null;
}

/** CatalogIndex is one index of a table. */
export interface CatalogIndex {
  name: string;
  unique: boolean;
  columns: string[];
  /** The access method (btree, gin, ...). */
  method: string;
}

/** PolicyCommand is pg_policies.cmd. */
export type PolicyCommand = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'ALL';

/** CatalogPolicy is one row level security policy. */
export interface CatalogPolicy {
  name: string;
  command: PolicyCommand;
  roles: string[];
  permissive: boolean;
  using: string | null;
  check: string | null;
}

/** TablePrivilege is a table privilege as has_table_privilege names it. */
export type TablePrivilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE' | 'REFERENCES' | 'TRIGGER';
/** Every table privilege verify reads. */
export const TABLE_PRIVILEGES: readonly TablePrivilege[] = ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER'];

/**
 * CatalogTable is one table of the catalog; `privileges` maps each API role that exists to the operations it
 * may perform, `grants` to every table privilege it holds (directly, through PUBLIC or a role it belongs to).
 */
export interface CatalogTable {
  schema: string;
  name: string;
  owner: string;
  rowSecurity: boolean;
  forceRowSecurity: boolean;
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  indexes: CatalogIndex[];
  policies: CatalogPolicy[];
  privileges: Map<string, Operation[]>;
  grants: Map<string, TablePrivilege[]>;
}

/** DefaultPrivilege is one privilege that ALTER DEFAULT PRIVILEGES gives `role` on the tables `owner` creates (in `schema`, or in every schema when it is null). */
export interface DefaultPrivilege {
  owner: string;
  schema: string | null;
  /** The grantee, or PUBLIC. */
  role: string;
  privilege: TablePrivilege;
}

/** Catalog is the tables found, keyed by "schema.table", which API roles exist, and the default privileges for new tables. */
export interface Catalog {
  tables: Map<string, CatalogTable>;
  roles: Set<string>;
  defaultPrivileges?: DefaultPrivilege[];
}

/** The roles Supabase's API uses. */
export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;

const KEY = `n.nspname || '.' || c.relname`;
const REL = `pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace`;

/** The catalog queries; those that mention $1 take the text[] of "schema.table" keys. */
export const CATALOG_QUERIES = {
  tables: `SELECT ${KEY} AS key, n.nspname AS schema, c.relname AS name, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
  c.relrowsecurity AS row_security, c.relforcerowsecurity AS force_row_security
FROM ${REL}
WHERE c.relkind IN ('r', 'p') AND ${KEY} = ANY ($1::text[])`,
  columns: `SELECT ${KEY} AS key, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, t.typname AS type_name,
  coalesce(bt.typcategory, t.typcategory)::text AS category,
  (SELECT e.enumlabel FROM pg_catalog.pg_enum e WHERE e.enumtypid = coalesce(bt.oid, t.oid) ORDER BY e.enumsortorder LIMIT 1) AS enum_first,
  a.attnotnull AS not_null, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default",
  (a.attidentity::text <> '' OR a.attgenerated::text <> '') AS generated, a.attidentity::text AS identity
FROM ${REL}
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_type bt ON t.typtype = 'd' AND bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE ${KEY} = ANY ($1::text[]) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY 1, a.attnum`,
  constraints: `SELECT ${KEY} AS key, con.conname AS name, con.contype::text AS kind,
  ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.i) AS columns,
  fn.nspname AS target_schema, fc.relname AS target_table,
  ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, i) JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.i) AS target_columns,
  con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update
FROM ${REL}
JOIN pg_catalog.pg_constraint con ON con.conrelid = c.oid
LEFT JOIN pg_catalog.pg_class fc ON fc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fc.relnamespace
WHERE ${KEY} = ANY ($1::text[])
ORDER BY 1, 2`,
  indexes: `SELECT ${KEY} AS key, ic.relname AS name, i.indisunique AS "unique", (SELECT am.amname FROM pg_catalog.pg_am am WHERE am.oid = ic.relam) AS method,
  ARRAY(SELECT coalesce(a.attname::text, '') FROM unnest(i.indkey) WITH ORDINALITY k(num, o) LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.num ORDER BY k.o) AS columns
FROM ${REL}
JOIN pg_catalog.pg_index i ON i.indrelid = c.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
WHERE ${KEY} = ANY ($1::text[])
ORDER BY 1, 2`,
  policies: `SELECT p.schemaname || '.' || p.tablename AS key, p.policyname AS name, p.cmd AS command, p.roles::text[] AS roles,
  p.permissive = 'PERMISSIVE' AS permissive, p.qual AS using, p.with_check AS "check"
FROM pg_catalog.pg_policies p
WHERE p.schemaname || '.' || p.tablename = ANY ($1::text[])
ORDER BY 1, 2`,
  privileges: `SELECT ${KEY} AS key, r.rolname AS role,
  pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT') AS "select",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'INSERT') AS "insert",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'UPDATE') AS "update",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'DELETE') AS "delete",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'TRUNCATE') AS "truncate",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'REFERENCES') AS "references",
  pg_catalog.has_table_privilege(r.oid, c.oid, 'TRIGGER') AS "trigger"
FROM ${REL}
CROSS JOIN pg_catalog.pg_roles r
WHERE ${KEY} = ANY ($1::text[]) AND c.relkind IN ('r', 'p') AND r.rolname IN ('anon', 'authenticated', 'service_role')
ORDER BY 1, 2`,
  roles: `SELECT r.rolname AS name FROM pg_catalog.pg_roles r WHERE r.rolname IN ('anon', 'authenticated', 'service_role')`,
  default_privileges: `SELECT pg_catalog.pg_get_userbyid(d.defaclrole) AS owner, n.nspname AS schema,
  CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_catalog.pg_get_userbyid(a.grantee) END AS role, a.privilege_type AS privilege
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) a
WHERE d.defaclobjtype = 'r'
ORDER BY 1, 2, 3, 4`,
} as const;

/** CatalogQuery names one of the catalog queries. */
export type CatalogQuery = keyof typeof CATALOG_QUERIES;

/** CatalogRows is the rows of every catalog query (default_privileges may be left out: none). */
export type CatalogRows = Record<Exclude<CatalogQuery, 'default_privileges'>, ReadonlyArray<Record<string, unknown>>> & {
  default_privileges?: ReadonlyArray<Record<string, unknown>>;
};

const ON_DELETE: Record<string, string> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const KINDS: Record<string, ConstraintKind> = { p: 'primary', f: 'foreign', c: 'check', u: 'unique' };

function str(v: unknown): string {
  return typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v);
}
function strOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : String(v);
}
function bool(v: unknown): boolean {
  return v === true || v === 't' || v === 'true';
}
/** Arrays come back parsed from PGlite and pg; a text form ({a,b}) is parsed here for safety. */
function strings(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str);
  if (typeof v === 'string' && v.startsWith('{') && v.endsWith('}')) {
    const body = v.slice(1, -1);
    return body === '' ? [] : body.split(',').map((s) => s.replace(/^"(.*)"$/, '$1'));
  }
  return [];
}

/** Assembles the catalog from the rows of CATALOG_QUERIES. */
export function buildCatalog(rows: CatalogRows): Catalog {
  const tables = new Map<string, CatalogTable>();
  for (const r of rows.tables) tables.set(str(r.key), tableOf(r));
  for (const r of rows.columns) tables.get(str(r.key))?.columns.push(columnOf(r));
  for (const r of rows.constraints) tables.get(str(r.key))?.constraints.push(constraintOf(r));
  for (const r of rows.indexes)
    tables.get(str(r.key))?.indexes.push({ name: str(r.name), unique: bool(r.unique), columns: strings(r.columns), method: str(r.method) || 'btree' });
  for (const r of rows.policies) tables.get(str(r.key))?.policies.push(policyOf(r));
  for (const r of rows.privileges) {
    const t = tables.get(str(r.key));
    if (!t) continue;
    t.privileges.set(
      str(r.role),
      OPERATIONS.filter((op) => bool(r[op])),
    );
    t.grants.set(
      str(r.role),
      TABLE_PRIVILEGES.filter((p) => bool(r[p.toLowerCase()])),
    );
  }
  const defaultPrivileges = (rows.default_privileges ?? []).map((r) => ({
    owner: str(r.owner),
    schema: strOrNull(r.schema),
    role: str(r.role),
    privilege: str(r.privilege) as TablePrivilege,
  }));
  return { tables, roles: new Set(rows.roles.map((r) => str(r.name))), defaultPrivileges };
}

function tableOf(r: Record<string, unknown>): CatalogTable {
  return {
    schema: str(r.schema),
    name: str(r.name),
    owner: str(r.owner),
    rowSecurity: bool(r.row_security),
    forceRowSecurity: bool(r.force_row_security),
    columns: [],
    constraints: [],
    indexes: [],
    policies: [],
    privileges: new Map(),
    grants: new Map(),
  };
}

function columnOf(r: Record<string, unknown>): CatalogColumn {
  return {
    name: str(r.name),
    type: str(r.type),
    typeName: str(r.type_name),
    category: str(r.category),
    enumFirst: strOrNull(r.enum_first),
    notNull: bool(r.not_null),
    default: strOrNull(r.default),
    generated: bool(r.generated),
    identity: str(r.identity) === 'a' ? 'always' : str(r.identity) === 'd' ? 'by default' : null,
  };
}

function constraintOf(r: Record<string, unknown>): CatalogConstraint {
  const kind = KINDS[str(r.kind)] ?? 'other';
  const target =
    r.target_table === null || r.target_table === undefined
      ? null
      : { schema: str(r.target_schema), table: str(r.target_table), columns: strings(r.target_columns) };
  const action = (v: unknown): string | null => (kind === 'foreign' ? (ON_DELETE[str(v)] ?? null) : null);
  return { name: str(r.name), kind, columns: strings(r.columns), target, onDelete: action(r.on_delete), onUpdate: action(r.on_update) };
}

function policyOf(r: Record<string, unknown>): CatalogPolicy {
  return {
    name: str(r.name),
    command: str(r.command) as PolicyCommand,
    roles: strings(r.roles),
    permissive: bool(r.permissive),
    using: strOrNull(r.using),
    check: strOrNull(r.check),
  };
}

/** ResolvedColumn is how the database itself spells a spec column's type and default (see resolveSql). */
export interface ResolvedColumn {
  type: string;
  default: string | null;
}

/** Resolved spec types and defaults, keyed by "schema.table.column". */
export type Resolutions = Map<string, ResolvedColumn>;

/** The name of the scratch table through which the database spells the spec's types and defaults. */
export const RESOLVE_TABLE = 'pamc_verify_spec';

/**
 * SQL that creates a temporary table with the given columns, so that the
 * database spells their types (format_type) and defaults (pg_get_expr) the
 * way its catalog does. The runner creates it under a savepoint and rolls
 * it back.
 */
export function resolveSql(columns: ReadonlyArray<{ type: string; default: string | null }>): string {
  const defs = columns.map((c, i) => `c${i} ${c.type}${c.default !== null ? ` DEFAULT (${c.default})` : ''}`);
  return `CREATE TEMPORARY TABLE ${RESOLVE_TABLE} (${defs.join(', ')})`;
}

/** Reads back the columns of the table resolveSql created, in order. */
export const RESOLVE_READ_SQL = `SELECT pg_catalog.format_type(a.atttypid, a.atttypmod) AS type, pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS "default"
FROM pg_catalog.pg_attribute a
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = 'pg_temp.${RESOLVE_TABLE}'::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;
