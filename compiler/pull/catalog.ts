/**
 * What `pamc pull` reads of a database: the catalog of one schema's
 * tables, as plain rows.
 *
 * Input: none (the queries), or the rows the queries returned. Output: the
 * SQL of each query (one parameter, $1: the schema name) and a Catalog. The
 * queries run in the shell (../cli/pull.ts); everything here is pure.
 */

/** CatalogTable is a table (relkind r) or a partitioned table (p) of the schema. */
export interface CatalogTable {
  name: string;
  partitioned: boolean;
  /** The parent's name when the table is a partition. */
  partitionOf: string | null;
  rls: boolean;
  forceRls: boolean;
  comment: string | null;
}

/** CatalogColumn is one column, with its type in PostgreSQL's own spelling (format_type). */
export interface CatalogColumn {
  table: string;
  name: string;
  type: string;
  /** typtype of the column's type, or of its element for an array: b base, e enum, d domain, c composite, r range, m multirange, p pseudo. */
  typeKind: string;
  notNull: boolean;
  default: string | null;
  /** '' none, 'a' GENERATED ALWAYS AS IDENTITY, 'd' BY DEFAULT. */
  identity: string;
  /** '' none, 's' stored generated column (its expression is `default`). */
  generated: string;
  comment: string | null;
}

/** CatalogConstraint is a constraint (p primary key, u unique, f foreign key, c check, x exclusion, t trigger, n not null). */
export interface CatalogConstraint {
  table: string;
  name: string;
  type: string;
  columns: string[];
  /** pg_get_constraintdef: the constraint as SQL. */
  definition: string;
  /** The expression of a check constraint. */
  expression: string | null;
  refSchema: string | null;
  refTable: string | null;
  refColumns: string[];
  /** confdeltype / confupdtype: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete: string;
  onUpdate: string;
  deferrable: boolean;
}

/** CatalogPolicy is a row level security policy, as pg_policies shows it. */
export interface CatalogPolicy {
  table: string;
  name: string;
  permissive: string;
  roles: string[];
  command: string;
  using: string | null;
  check: string | null;
}

/** CatalogObject is an index (not one behind a constraint), a trigger, or another relation (view, materialized view, foreign table, sequence-less). */
export interface CatalogObject {
  table: string;
  name: string;
  definition: string;
}

/** Catalog is everything pull reads of one schema. */
export interface Catalog {
  schema: string;
  tables: CatalogTable[];
  columns: CatalogColumn[];
  constraints: CatalogConstraint[];
  policies: CatalogPolicy[];
  indexes: CatalogObject[];
  triggers: CatalogObject[];
  /** Views, materialized views and foreign tables: `table` is the relation, `definition` its kind. */
  relations: CatalogObject[];
}

const IN_SCHEMA = `JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1`;

/** The queries, keyed by the Catalog field they fill; each takes the schema name as $1 and orders its rows. */
export const CATALOG_QUERIES: Record<Exclude<keyof Catalog, 'schema'>, string> = {
  tables: `SELECT c.relname AS name, c.relkind = 'p' AS partitioned,
    (SELECT p.relname FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhparent WHERE i.inhrelid = c.oid AND c.relispartition LIMIT 1) AS partition_of,
    c.relrowsecurity AS rls, c.relforcerowsecurity AS force_rls, obj_description(c.oid, 'pg_class') AS comment
  FROM pg_class c ${IN_SCHEMA} AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
  columns: `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
    COALESCE(e.typtype, t.typtype)::text AS type_kind, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default,
    a.attidentity::text AS identity, a.attgenerated::text AS generated, col_description(c.oid, a.attnum) AS comment
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_type t ON t.oid = a.atttypid
  LEFT JOIN pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  ${IN_SCHEMA} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum`,
  constraints: `SELECT c.relname AS table, k.conname AS name, k.contype::text AS type,
    ARRAY(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(num, i) JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.num ORDER BY u.i) AS columns,
    pg_get_constraintdef(k.oid) AS definition, CASE WHEN k.contype = 'c' THEN pg_get_expr(k.conbin, k.conrelid) END AS expression,
    fn.nspname AS ref_schema, fc.relname AS ref_table,
    ARRAY(SELECT a.attname::text FROM unnest(k.confkey) WITH ORDINALITY u(num, i) JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.num ORDER BY u.i) AS ref_columns,
    k.confdeltype::text AS on_delete, k.confupdtype::text AS on_update, k.condeferrable AS deferrable
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
  LEFT JOIN pg_class fc ON fc.oid = k.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
  ${IN_SCHEMA} AND c.relkind IN ('r', 'p') ORDER BY c.relname, k.conname`,
  policies: `SELECT tablename AS table, policyname AS name, permissive, roles::text[] AS roles, cmd AS command, qual AS using, with_check AS check
  FROM pg_policies WHERE schemaname = $1 ORDER BY tablename, policyname`,
  indexes: `SELECT c.relname AS table, i.relname AS name, pg_get_indexdef(x.indexrelid) AS definition
  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid
  ${IN_SCHEMA} AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x'))
  ORDER BY c.relname, i.relname`,
  triggers: `SELECT c.relname AS table, g.tgname AS name, pg_get_triggerdef(g.oid) AS definition
  FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid ${IN_SCHEMA} AND NOT g.tgisinternal ORDER BY c.relname, g.tgname`,
  relations: `SELECT c.relname AS table, c.relname AS name,
    CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' ELSE 'foreign table' END AS definition
  FROM pg_class c ${IN_SCHEMA} AND c.relkind IN ('v', 'm', 'f') ORDER BY c.relname`,
};

type Row = Record<string, unknown>;

const text = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);

/** The Catalog of `schema` from the rows of CATALOG_QUERIES. */
export function catalogFromRows(schema: string, rows: Record<Exclude<keyof Catalog, 'schema'>, Row[]>): Catalog {
  const object = (r: Row): CatalogObject => ({ table: text(r.table), name: text(r.name), definition: text(r.definition) });
  return {
    schema,
    tables: rows.tables.map((r) => ({
      name: text(r.name),
      partitioned: r.partitioned === true,
      partitionOf: nullable(r.partition_of),
      rls: r.rls === true,
      forceRls: r.force_rls === true,
      comment: nullable(r.comment),
    })),
    columns: rows.columns.map((r) => ({
      table: text(r.table),
      name: text(r.name),
      type: text(r.type),
      typeKind: text(r.type_kind),
      notNull: r.not_null === true,
      default: nullable(r.default),
      identity: text(r.identity),
      generated: text(r.generated),
      comment: nullable(r.comment),
    })),
    constraints: rows.constraints.map((r) => ({
      table: text(r.table),
      name: text(r.name),
      type: text(r.type),
      columns: list(r.columns),
      definition: text(r.definition),
      expression: nullable(r.expression),
      refSchema: nullable(r.ref_schema),
      refTable: nullable(r.ref_table),
      refColumns: list(r.ref_columns),
      onDelete: text(r.on_delete),
      onUpdate: text(r.on_update),
      deferrable: r.deferrable === true,
    })),
    policies: rows.policies.map((r) => ({
      table: text(r.table),
      name: text(r.name),
      permissive: text(r.permissive),
      roles: list(r.roles),
      command: text(r.command),
      using: nullable(r.using),
      check: nullable(r.check),
    })),
    indexes: rows.indexes.map(object),
    triggers: rows.triggers.map(object),
    relations: rows.relations.map(object),
  };
}
