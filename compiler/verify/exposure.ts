/**
 * Exposure: ways around row level security that the probes cannot see,
 * because the probes read the spec's tables directly.
 *
 * - a view (or materialized view) that reads a spec table, directly or
 *   through other views, and that anon or authenticated may SELECT: a view
 *   without security_invoker = true reads with its owner's rights, so the
 *   table's policies do not apply to the caller; a materialized view holds a
 *   copy that policies never filter;
 * - a SECURITY DEFINER function that anon or authenticated (or PUBLIC) may
 *   execute and that reads a spec table (pg_depend records it for SQL
 *   functions with a BEGIN ATOMIC body); one whose body PostgreSQL does not
 *   track (plpgsql, a SQL string body) is reported when it lives in a schema
 *   the API exposes, since verify cannot tell what it reads. Functions
 *   returning trigger cannot be called through the API and are left out;
 * - table privileges of anon and authenticated beyond what the spec implies
 *   (grantExcess).
 *
 * Input: rows of EXPOSURE_QUERIES, the expected schema and the catalog.
 * Output: Exposure[], each naming the object, the spec tables it reaches and
 * the roles that reach it. Pure: no database.
 */
import type { ExpectedSchema, ExpectedTable } from './expected.js';
import { displayName, tableKeyOf } from './expected.js';
import type { Catalog, CatalogTable, TablePrivilege } from './catalog.js';

/** ExposureKind is what leaks: a view, a materialized view, a function, or a table grant. */
export type ExposureKind = 'view' | 'materialized view' | 'function' | 'grant';

/** Exposure is one object through which anon or authenticated reach more of a spec table than its rules allow. */
export interface Exposure {
  kind: ExposureKind;
  /** The object, schema-qualified (a function with its argument types). */
  object: string;
  /** The spec tables it reaches, as messages show them; empty when verify cannot tell. */
  tables: string[];
  /** The API roles that reach it. */
  roles: string[];
  message: string;
}

/** The roles of Supabase's API that exposure is judged for. */
export const EXPOSED_ROLES = ['anon', 'authenticated'] as const;

const SYSTEM_SCHEMAS = `('pg_catalog', 'information_schema')`;

/**
 * The spec tables ($1, "schema.table" keys) and every view that reads one,
 * directly or through other views: a view's rewrite rule depends (pg_depend)
 * on each relation its query reads.
 */
const READERS = `WITH RECURSIVE spec AS (
  SELECT c.oid FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname || '.' || c.relname = ANY ($1::text[])
), edges AS (
  SELECT DISTINCT r.ev_class AS reader, d.refobjid AS source
  FROM pg_catalog.pg_rewrite r
  JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_rewrite'::regclass AND d.objid = r.oid
   AND d.refclassid = 'pg_catalog.pg_class'::regclass AND d.refobjid <> r.ev_class
), reads(reader, base) AS (
  SELECT e.reader, e.source FROM edges e JOIN spec s ON s.oid = e.source
  UNION
  SELECT e.reader, x.base FROM edges e JOIN reads x ON x.reader = e.source
)`;

const ROLES_THAT = (privilege: string, object: string, schema: string): string =>
  `ARRAY(SELECT ro.rolname::text FROM pg_catalog.pg_roles ro WHERE ro.rolname IN ('anon', 'authenticated')
    AND pg_catalog.has_schema_privilege(ro.oid, ${schema}, 'USAGE') AND ${privilege.replace('$ROLE', 'ro.oid').replace('$OBJECT', object)} ORDER BY 1)`;

/** The queries of the exposure scan; those that mention $1 take the text[] of spec table keys. */
export const EXPOSURE_QUERIES = {
  views: `${READERS}
SELECT n.nspname AS schema, c.relname AS name, c.relkind::text AS kind, pg_catalog.pg_get_userbyid(c.relowner) AS owner,
  coalesce((SELECT o.option_value FROM pg_catalog.pg_options_to_table(c.reloptions) o WHERE o.option_name = 'security_invoker'), 'false') AS invoker,
  ARRAY(SELECT DISTINCT bn.nspname || '.' || bc.relname FROM reads x JOIN pg_catalog.pg_class bc ON bc.oid = x.base
        JOIN pg_catalog.pg_namespace bn ON bn.oid = bc.relnamespace WHERE x.reader = c.oid ORDER BY 1) AS reads,
  ${ROLES_THAT(`pg_catalog.has_any_column_privilege($ROLE, $OBJECT, 'SELECT')`, 'c.oid', 'c.relnamespace')} AS readers
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid IN (SELECT reader FROM reads) AND c.relkind IN ('v', 'm')
ORDER BY 1, 2`,
  functions: `${READERS}, exposed AS (SELECT oid FROM spec UNION SELECT reader FROM reads)
SELECT n.nspname AS schema, p.proname AS name, pg_catalog.pg_get_function_identity_arguments(p.oid) AS args,
  p.prorettype IN ('pg_catalog.trigger'::regtype, 'pg_catalog.event_trigger'::regtype) AS returns_trigger,
  (pg_catalog.to_jsonb(p) ->> 'prosqlbody') IS NOT NULL AS tracked,
  ARRAY(SELECT DISTINCT bn.nspname || '.' || bc.relname FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_class bc ON bc.oid = d.refobjid JOIN pg_catalog.pg_namespace bn ON bn.oid = bc.relnamespace
        WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid AND d.refclassid = 'pg_catalog.pg_class'::regclass
          AND d.refobjid IN (SELECT oid FROM exposed) ORDER BY 1) AS reads,
  ${ROLES_THAT(`pg_catalog.has_function_privilege($ROLE, $OBJECT, 'EXECUTE')`, 'p.oid', 'p.pronamespace')} AS callers,
  (p.proacl IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.aclexplode(p.proacl) a WHERE a.grantee = 0 AND a.privilege_type = 'EXECUTE')) AS public_execute
FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE p.prosecdef AND p.prokind = 'f' AND n.nspname NOT IN ${SYSTEM_SCHEMAS}
ORDER BY 1, 2, 3`,
  scanned: `SELECT
  (SELECT count(*)::int FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('v', 'm') AND n.nspname NOT IN ${SYSTEM_SCHEMAS}) AS views,
  (SELECT count(*)::int FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
    WHERE p.prosecdef AND p.prokind = 'f' AND n.nspname NOT IN ${SYSTEM_SCHEMAS}) AS functions`,
} as const;

/** ExposureQuery names one of the exposure queries. */
export type ExposureQuery = keyof typeof EXPOSURE_QUERIES;

/** ExposureRows is the rows of every exposure query. */
export type ExposureRows = Record<ExposureQuery, ReadonlyArray<Record<string, unknown>>>;

/** ExposureScan is what the scan found, and how much it looked at. */
export interface ExposureScan {
  exposures: Exposure[];
  views: number;
  functions: number;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
const bool = (v: unknown): boolean => v === true || v === 't' || v === 'true';
const yes = (v: unknown): boolean => ['true', 'on', 'yes', '1', 't', 'y'].includes(String(v).toLowerCase());
const shown = (key: string): string => {
  const dot = key.indexOf('.');
  return displayName(key.slice(0, dot), key.slice(dot + 1));
};
const list = (xs: readonly string[]): string => xs.join(', ');

/** The schemas the API exposes: public, and every schema a spec table lives in. */
export function apiSchemas(expected: ExpectedSchema): Set<string> {
  return new Set(['public', ...expected.tables.map((t) => t.schema)]);
}

/** Judges the rows of the exposure scan. */
export function judgeExposure(rows: ExposureRows, expected: ExpectedSchema): ExposureScan {
  const exposures: Exposure[] = [...rows.views.flatMap(viewExposure), ...rows.functions.flatMap((r) => functionExposure(r, apiSchemas(expected)))];
  const counts = rows.scanned[0] ?? {};
  return { exposures, views: Number(counts.views ?? 0), functions: Number(counts.functions ?? 0) };
}

function viewExposure(r: Record<string, unknown>): Exposure[] {
  const readers = strings(r.readers);
  const materialized = r.kind === 'm';
  if (readers.length === 0 || (!materialized && yes(r.invoker))) return [];
  const object = `${String(r.schema)}.${String(r.name)}`;
  const tables = strings(r.reads).map(shown);
  const why = materialized
    ? 'a materialized view holds a copy of the rows that no policy filters'
    : `it runs with the rights of its owner ${String(r.owner)}, so the row level security of ${list(tables)} does not apply to its callers`;
  const fix = materialized ? 'revoke SELECT from them' : 'set security_invoker = true (PostgreSQL 15+), or revoke SELECT';
  const kind = materialized ? 'materialized view' : 'view';
  return [{ kind, object, tables, roles: readers, message: `${kind} ${object} reads ${list(tables)} and ${list(readers)} can SELECT it: ${why} (${fix})` }];
}

function functionExposure(r: Record<string, unknown>, schemas: ReadonlySet<string>): Exposure[] {
  const callers = strings(r.callers);
  if (callers.length === 0 || bool(r.returns_trigger)) return [];
  const object = `${String(r.schema)}.${String(r.name)}(${String(r.args ?? '')})`;
  const tables = strings(r.reads).map(shown);
  const through = bool(r.public_execute) ? ' (EXECUTE is granted to PUBLIC)' : '';
  const who = `${list(callers)} can execute it${through}`;
  if (tables.length)
    return [
      {
        kind: 'function',
        object,
        tables,
        roles: callers,
        message: `function ${object} is SECURITY DEFINER, reads ${list(tables)}, and ${who}: it reads with its owner's rights, past row level security (make it SECURITY INVOKER, or revoke EXECUTE)`,
      },
    ];
  if (bool(r.tracked) || !schemas.has(String(r.schema))) return [];
  return [
    {
      kind: 'function',
      object,
      tables: [],
      roles: callers,
      message: `function ${object} is SECURITY DEFINER in a schema the API exposes, and ${who}: PostgreSQL does not record what its body reads, so verify cannot tell that it stays off the spec's tables (make it SECURITY INVOKER, move it to a schema the API does not expose, or revoke EXECUTE from anon and authenticated)`,
    },
  ];
}

/**
 * The table privileges `role` may hold on `table`: the operations its grant
 * lists, and, unless the grant is exact, what the default privileges give
 * the tables the table's owner creates (Supabase's give anon and
 * authenticated everything in public; a table pamc created before exact
 * grants, and not tightened since, keeps them).
 */
export function impliedPrivileges(table: CatalogTable, role: string, operations: readonly string[], catalog: Catalog, exact: boolean): Set<TablePrivilege> {
  const out = new Set(operations.map((op) => op.toUpperCase() as TablePrivilege));
  if (exact) return out;
  for (const d of catalog.defaultPrivileges ?? []) {
    if (d.owner !== table.owner || (d.schema !== null && d.schema !== table.schema)) continue;
    if (d.role === role || d.role === 'PUBLIC') out.add(d.privilege);
  }
  return out;
}

/** Table privileges of anon and authenticated beyond what the spec's grants say (exactly, or at least). */
export function grantExcess(expected: ExpectedSchema, catalog: Catalog): Exposure[] {
  const out: Exposure[] = [];
  for (const t of expected.tables) {
    const actual = catalog.tables.get(tableKeyOf(t));
    if (actual) out.push(...tableGrantExcess(t, actual, catalog));
  }
  return out;
}

function tableGrantExcess(t: ExpectedTable, actual: CatalogTable, catalog: Catalog): Exposure[] {
  const out: Exposure[] = [];
  const table = displayName(t.schema, t.name);
  for (const g of t.grants.filter((x) => (EXPOSED_ROLES as readonly string[]).includes(x.role))) {
    const implied = impliedPrivileges(actual, g.role, g.operations, catalog, g.exact);
    const extra = (actual.grants.get(g.role) ?? []).filter((p) => !implied.has(p));
    if (extra.length === 0) continue;
    const allowed = g.operations.length ? g.operations.join(', ') : 'nothing';
    const defaults = g.exact ? '' : '; and what the default privileges give new tables';
    out.push({
      kind: 'grant',
      object: `${t.schema}.${t.name}`,
      tables: [table],
      roles: [g.role],
      message: `${g.role} holds ${list(extra)} on ${table}, beyond what the spec implies (allow: ${allowed}${defaults})`,
    });
  }
  return out;
}
