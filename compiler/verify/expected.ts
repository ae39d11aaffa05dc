/**
 * What the database must hold after an environment's migrations: the spec's
 * features for that environment folded into one schema, as plain data that
 * can be compared with a catalog.
 *
 * Input: a Spec and an Environment. Output: ExpectedSchema. Names of
 * constraints, indexes and policies come from ../model/names, like the SQL
 * the emitter writes.
 */
import type { ExpectedObjects } from './objects.js';
import { touchTrigger } from '../emit/objects.js';
import type { Environment, ExistingTable, Feature, OnDelete, Operation, Spec } from '../model/types.js';
import { featuresInOrder } from '../model/types.js';
import { checkName, foreignKeyName, inCheckName, ownerIndexName, primaryKeyName, uniqueName } from '../model/names.js';
import { fold, needsOwnerIndex } from '../diff/fold.js';
import { ownerColumn, ownerState, ruleOperations, type RuleState, type TableState } from '../diff/state.js';
import { AUTHENTICATED, grantsOf, OPERATIONS, policiesOf, SERVICE_ROLE, type PolicySpec } from '../emit/access.js';
import { migrationPaths, type PlannedMigration } from '../compile.js';
import { qualified, quoteIdent } from '../sql/ident.js';

/** ExpectedColumn is a column as the spec declares it. */
export interface ExpectedColumn {
  name: string;
  /** The type as the spec writes it. */
  type: string;
  notNull: boolean;
  /** The default expression as the spec writes it, or null. */
  default: string | null;
  /** The values of `in:`, which probes use to fill the column. */
  in: ReadonlyArray<string | number> | null;
  /** The column's `check:` expression, which probe values must pass. */
  check: string | null;
  identity: 'always' | 'by default' | null;
}

/** ExpectedForeignKey is the foreign key a column's `references:` creates. */
export interface ExpectedForeignKey {
  name: string;
  column: string;
  target: { schema: string; table: string; column: string };
  onDelete: OnDelete;
  onUpdate: OnDelete;
}

/** ExpectedPolicy is one policy pamc writes (../emit/access.ts policiesOf). */
export type ExpectedPolicy = PolicySpec;

/** ExpectedGrant is the table privileges a role must hold: at least `operations`, or (`exact`) exactly those. */
export interface ExpectedGrant {
  role: string;
  operations: Operation[];
  exact: boolean;
}

/**
 * ExpectedRls is the row level security a table must have: access rules
 * (`owner` and `allow` are its owner rule's, if it has one; `rules` every
 * rule, as the fold holds them, for probes), a waiver, or none (not pamc's).
 */
export type ExpectedRls =
  | { kind: 'rules'; owner: string | null; allow: Operation[]; rules: RuleState[]; serviceOnly: boolean }
  | { kind: 'waived'; reason: string }
  | { kind: 'unmanaged' };

/** ExpectedTable is one table of the expected schema; `managed` is false for tables declared `existing:`. */
export interface ExpectedTable {
  schema: string;
  name: string;
  managed: boolean;
  columns: ExpectedColumn[];
  primaryKey: { name: string; columns: string[] } | null;
  foreignKeys: ExpectedForeignKey[];
  uniques: Array<{ name: string; column: string }>;
  /** Names of check constraints, and of unique constraints over several columns (`unique:`). */
  checks: string[];
  namedUniques: string[];
  indexes: string[];
  /** The access method of each index that is not btree. */
  methods: Record<string, string>;
  rls: ExpectedRls;
  policies: ExpectedPolicy[];
  grants: ExpectedGrant[];
}

/** ExpectedSchema is every table verify compares, in fold order. */
export interface ExpectedSchema {
  environment: Environment;
  tables: ExpectedTable[];
  /** Enums, extensions, the realtime publication, pamc's triggers. */
  objects: ExpectedObjects;
}

/** The features whose migrations an environment receives (drafts never). */
export function featuresFor(spec: Spec, environment: Environment): Feature[] {
  return featuresInOrder(spec).filter((f) => !f.draft && f.environments.includes(environment));
}

/** The expected schema of an environment. */
export function expectedSchema(spec: Spec, environment: Environment): ExpectedSchema {
  const existing = spec.phases.flatMap((p) => p.existing);
  const features = featuresFor(spec, environment);
  const { state, enums } = fold(features, existing, () => false);
  const tables: ExpectedTable[] = [];
  for (const t of state.values()) {
    if (t.origin.kind === 'builtin') continue;
    tables.push(expectedTable(t));
  }
  const managed = [...state.values()].filter((t) => t.origin.kind === 'feature');
  const objects: ExpectedObjects = {
    enums: [...enums.values()].map((e) => ({ key: `${e.schema}.${e.name}`, values: [...e.values] })),
    extensions: [...new Set(features.flatMap((f) => f.extensions.map((x) => x.value)))],
    realtime: managed.filter((t) => t.realtime).map((t) => `${t.schema}.${t.name}`),
    triggers: managed.flatMap((t) => (t.touch ? [{ key: `${t.schema}.${t.name}`, name: touchTrigger(t.name, t.touch) }] : [])),
  };
  return { environment, tables, objects };
}

function expectedTable(t: TableState): ExpectedTable {
  const managed = t.origin.kind === 'feature';
  const columns = t.columns.map(({ column: c }) => ({
    name: c.name,
    type: c.type.value,
    notNull: c.notNull || c.primaryKey,
    default: c.default?.value ?? null,
    in: c.in?.value ?? null,
    check: c.check?.value ?? null,
    identity: c.identity,
  }));
  const pk = t.columns.filter((c) => c.column.primaryKey).map((c) => c.column.name);
  const foreignKeys: ExpectedForeignKey[] = [];
  const uniques: ExpectedTable['uniques'] = [];
  const checks: string[] = [];
  for (const { column: c, origin } of t.columns) {
    if (origin.kind !== 'feature') continue;
    if (c.references)
      foreignKeys.push({
        name: foreignKeyName(t.name, c.name),
        column: c.name,
        target: { schema: c.references.schema, table: c.references.table, column: c.references.column },
        onDelete: c.references.onDelete ?? 'no action',
        onUpdate: c.references.onUpdate ?? 'no action',
      });
    if (c.unique) uniques.push({ name: uniqueName(t.name, c.name), column: c.name });
    if (c.in) checks.push(inCheckName(t.name, c.name));
    if (c.check) checks.push(checkName(t.name, c));
  }
  checks.push(...t.checks.map((c) => c.name.value));
  const indexes = t.indexes.filter((i) => i.origin.kind === 'feature').map((i) => i.index.name);
  const methods = Object.fromEntries(t.indexes.flatMap((i) => (i.index.method && i.index.method !== 'btree' ? [[i.index.name, i.index.method]] : [])));
  const { rls, policies, grants } = expectedAccess(t);
  const owner = rls.kind === 'rules' ? rls.owner : null;
  if (owner && needsOwnerIndex(t, owner)) indexes.push(ownerIndexName(t.name, owner));
  return {
    schema: t.schema,
    name: t.name,
    managed,
    columns,
    primaryKey: managed && pk.length ? { name: primaryKeyName(t.name), columns: pk } : null,
    foreignKeys,
    uniques,
    checks,
    namedUniques: t.uniques.map((u) => u.name.value),
    indexes,
    methods,
    rls,
    policies,
    grants,
  };
}

/** What a table's row level security, policies and grants must be. */
function expectedAccess(t: TableState): { rls: ExpectedRls; policies: ExpectedPolicy[]; grants: ExpectedGrant[] } {
  const service: ExpectedGrant = { role: SERVICE_ROLE, operations: [...OPERATIONS], exact: false };
  switch (t.rls.kind) {
    case 'rules': {
      const owner = ownerState(t.rls);
      const rls: ExpectedRls = {
        kind: 'rules',
        owner: ownerColumn(t.rls),
        allow: owner ? ruleOperations(owner) : [],
        rules: t.rls.rules,
        serviceOnly: t.rls.serviceOnly,
      };
      const exact = t.rls.exactGrants;
      const byRole = grantsOf(t);
      const grants = [...byRole]
        .filter(([role, ops]) => exact || (role === AUTHENTICATED && ops.length))
        .map(([role, operations]) => ({ role, operations, exact }));
      return { rls, policies: policiesOf(t), grants: [...grants, service] };
    }
    case 'disabled': {
      const grants = t.rls.exactGrants ? [...['anon', AUTHENTICATED].map((role) => ({ role, operations: [], exact: true })), service] : [];
      return { rls: { kind: 'waived', reason: t.rls.waiver.reason }, policies: [], grants };
    }
    case 'unmanaged':
      return { rls: { kind: 'unmanaged' }, policies: [], grants: [] };
  }
}

/** The name of a table as messages show it: without the schema when it is public. */
export function displayName(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

/** The catalog key of a table: "schema.table". */
export function tableKeyOf(t: { schema: string; name: string }): string {
  return `${t.schema}.${t.name}`;
}

/** MigrationFile is one migration to apply: the path people see, and its text; `handWritten` for a file of the output directory that pamc does not own. */
export interface MigrationFile {
  path: string;
  text: string;
  handWritten?: boolean;
}

/** MigrationSet is an environment's migrations in version order, and the lock-listed files that are missing. */
export interface MigrationSet {
  files: MigrationFile[];
  missing: string[];
}

/**
 * The migrations of an environment: for production the lock's files that go
 * to production, from the output directory; for staging every lock file,
 * from its staging directory. In version (file name) order.
 */
export function migrationSet(plan: readonly PlannedMigration[], environment: Environment, outFiles: ReadonlyMap<string, string>, outDir: string): MigrationSet {
  const files: MigrationFile[] = [];
  const missing: string[] = [];
  const wanted = plan
    .filter((p) => p.status === 'emitted' && p.environments.includes(environment))
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const p of wanted) {
    const paths = migrationPaths(p.file, p.environments);
    const rel = environment === 'production' ? paths.find((x) => x === p.file) : paths.find((x) => x !== p.file);
    const text = rel === undefined ? undefined : outFiles.get(rel);
    const shown = `${outDir}/${rel ?? p.file}`;
    if (text === undefined) missing.push(shown);
    else files.push({ path: shown, text });
  }
  return { files, missing };
}

/**
 * SQL creating, where missing, the tables the spec declares `existing:`, from
 * their declaration: a fresh embedded database has none of them, and the
 * migrations may reference them.
 */
export function existingTablesSql(existing: readonly ExistingTable[]): string {
  const out: string[] = [];
  const schemas = new Set<string>();
  for (const t of existing) {
    if (t.schema === 'auth' && t.name === 'users') continue;
    if (!schemas.has(t.schema) && t.schema !== 'public') out.push(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(t.schema)};`);
    schemas.add(t.schema);
    const cols = t.columns.map(
      (c) => `${quoteIdent(c.name)} ${c.type.value}${c.default ? ` DEFAULT (${c.default.value})` : ''}${c.notNull || c.primaryKey ? ' NOT NULL' : ''}`,
    );
    const pk = t.columns.filter((c) => c.primaryKey).map((c) => quoteIdent(c.name));
    if (pk.length) cols.push(`PRIMARY KEY (${pk.join(', ')})`);
    for (const c of t.columns) if (c.unique && !c.primaryKey) cols.push(`UNIQUE (${quoteIdent(c.name)})`);
    out.push(`CREATE TABLE IF NOT EXISTS ${qualified(t.schema, t.name)} (${cols.join(', ')});`);
  }
  return out.join('\n');
}
