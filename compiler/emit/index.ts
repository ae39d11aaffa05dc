/**
 * Stage 6, emit: a feature's additive changes to one SQL migration.
 *
 * Input: a Feature, the AdditiveChange[] the fold computed for it, and its
 * version. Output: Statement[] (each linked to the change that caused it) and
 * the rendered file text. The SQL is idempotent: a second run is a no-op.
 */
import type { Column, Feature, Operation } from '../model/types.js';
import { checkName, foreignKeyName, inCheckName, ownerIndexName, policyName, primaryKeyName, uniqueName } from '../model/names.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import type { AdditiveChange, AddPolicy, AddTable } from '../diff/changes.js';
import { needsOwnerIndex } from '../diff/fold.js';
import type { TableState } from '../diff/state.js';

/** Statement is one SQL statement of a migration and the change it implements. */
export interface Statement {
  sql: string;
  change: AdditiveChange;
}

/** EmitInput is what one migration is made from. */
export interface EmitInput {
  feature: Feature;
  version: string;
  changes: readonly AdditiveChange[];
}

const OPERATION_SQL: Record<Operation, string> = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };
const ORDER: readonly Operation[] = ['select', 'insert', 'update', 'delete'];

/** The role Supabase's backend key uses; it bypasses RLS but still needs table privileges. */
export const SERVICE_ROLE = 'service_role';
/** The role of signed-in users. */
export const AUTHENTICATED = 'authenticated';

/** The SQL expression owner policies compare with: evaluated once per statement, not per row. */
export function ownerPredicate(owner: string): string {
  return `(select auth.uid()) = ${quoteIdent(owner)}`;
}

/** Orders table creations so that a table comes after the tables of this feature it references. */
function orderTables(changes: readonly AdditiveChange[]): AdditiveChange[] {
  const tables = changes.filter((c): c is AddTable => c.kind === 'add_table');
  const done = new Set<TableState>();
  const ordered: AddTable[] = [];
  const visit = (c: AddTable, path: Set<TableState>): void => {
    if (done.has(c.table) || path.has(c.table)) return;
    path.add(c.table);
    for (const col of c.table.columns) {
      const ref = col.column.references;
      const dep = ref && tables.find((t) => t.table.schema === ref.schema && t.table.name === ref.table);
      if (dep && dep !== c) visit(dep, path);
    }
    done.add(c.table);
    ordered.push(c);
  };
  for (const t of tables) visit(t, new Set());
  return [...ordered, ...changes.filter((c) => c.kind !== 'add_table')];
}

/** Emits the statements of one feature. */
export function emitStatements(changes: readonly AdditiveChange[]): Statement[] {
  const out: Statement[] = [];
  for (const change of orderTables(changes)) {
    for (const sql of emitChange(change)) out.push({ sql, change });
  }
  return out;
}

function emitChange(change: AdditiveChange): string[] {
  switch (change.kind) {
    case 'add_table':
      return createTable(change.table);
    case 'add_column':
      return addColumn(change.table, change.column.column);
    case 'add_index':
      return [
        createIndex(change.table, change.index.index.name, change.index.index.columns, change.index.index.unique, change.index.index.where?.value ?? null),
      ];
    case 'add_policy':
      return addPolicy(change);
  }
}

function defaultSql(expr: string): string {
  const simple = /^(-?\d+(\.\d+)?|true|false|null|'(?:[^']|'')*'(::[a-z_][a-z0-9_ ]*)?|[a-z_][a-z0-9_.]*\(\))$/i;
  return simple.test(expr) ? expr : `(${expr})`;
}

function inList(values: ReadonlyArray<string | number>): string {
  return values.map((v) => (typeof v === 'number' ? String(v) : quoteLiteral(v))).join(', ');
}

function columnDefinition(c: Column): string {
  let sql = `${quoteIdent(c.name)} ${c.type.value}`;
  if (c.default) sql += ` DEFAULT ${defaultSql(c.default.value)}`;
  if (c.notNull) sql += ' NOT NULL';
  return sql;
}

function referenceSql(c: Column): string {
  const ref = c.references!;
  return `REFERENCES ${qualified(ref.schema, ref.table)} (${quoteIdent(ref.column)})${ref.onDelete ? ` ON DELETE ${ref.onDelete.toUpperCase()}` : ''}`;
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

function createTable(t: TableState): string[] {
  const name = qualified(t.schema, t.name);
  const lines = t.columns.map((c) => columnDefinition(c.column));
  const pk = t.columns.filter((c) => c.column.primaryKey).map((c) => quoteIdent(c.column.name));
  if (pk.length) lines.push(`CONSTRAINT ${quoteIdent(primaryKeyName(t.name))} PRIMARY KEY (${pk.join(', ')})`);
  for (const c of t.columns) for (const [cname, body] of columnConstraints(t.name, c.column)) lines.push(`CONSTRAINT ${quoteIdent(cname)} ${body}`);
  const out = [`CREATE TABLE IF NOT EXISTS ${name} (\n  ${lines.join(',\n  ')}\n);`];
  if (t.comment !== null) out.push(`COMMENT ON TABLE ${name} IS ${quoteLiteral(t.comment)};`);
  for (const c of t.columns)
    if (c.column.comment !== null) out.push(`COMMENT ON COLUMN ${name}.${quoteIdent(c.column.name)} IS ${quoteLiteral(c.column.comment)};`);
  for (const i of t.indexes) out.push(createIndex(t, i.index.name, i.index.columns, i.index.unique, i.index.where?.value ?? null));
  if (t.rls.kind === 'owner') {
    const owner = t.rls.rule.owner.value;
    if (needsOwnerIndex(t, owner)) out.push(createIndex(t, ownerIndexName(t.name, owner), [owner], false, null));
    out.push(`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`);
    const ops = ORDER.filter((op) => t.rls.kind === 'owner' && t.rls.permissions.some((p) => p.operation === op));
    out.push(grant(t, ops, AUTHENTICATED));
    out.push(grant(t, ORDER, SERVICE_ROLE));
    for (const op of ops) out.push(policy(t, op));
  } else if (t.rls.kind === 'disabled') {
    out.push(`-- Row level security waived: ${t.rls.waiver.reason.replace(/\s+/g, ' ')}`);
  }
  return out;
}

function addColumn(t: TableState, c: Column): string[] {
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

function createIndex(t: TableState, indexName: string, columns: readonly string[], unique: boolean, where: string | null): string {
  return `CREATE ${unique ? 'UNIQUE ' : ''}INDEX IF NOT EXISTS ${quoteIdent(indexName)} ON ${qualified(t.schema, t.name)} (${columns.map(quoteIdent).join(', ')})${where ? ` WHERE (${where})` : ''};`;
}

function grant(t: TableState, ops: readonly Operation[], role: string): string {
  return `GRANT ${ops.map((o) => OPERATION_SQL[o]).join(', ')} ON TABLE ${qualified(t.schema, t.name)} TO ${role};`;
}

/** The CREATE POLICY statement of one owner permission (without the guard that makes it idempotent). */
export function createPolicySql(t: TableState, op: Operation): string {
  if (t.rls.kind !== 'owner') throw new Error(`table ${t.name} has no owner rule`);
  const name = quoteIdent(policyName(op, t.rls.rule.label));
  const pred = ownerPredicate(t.rls.rule.owner.value);
  const using = op === 'insert' ? '' : ` USING (${pred})`;
  const check = op === 'insert' || op === 'update' ? ` WITH CHECK (${pred})` : '';
  return `CREATE POLICY ${name} ON ${qualified(t.schema, t.name)} AS PERMISSIVE FOR ${OPERATION_SQL[op]} TO ${AUTHENTICATED}${using}${check};`;
}

/** PostgreSQL has no CREATE POLICY IF NOT EXISTS: the policy is created only where the catalog lacks it. */
function policy(t: TableState, op: Operation): string {
  if (t.rls.kind !== 'owner') throw new Error(`table ${t.name} has no owner rule`);
  const nameLiteral = quoteLiteral(policyName(op, t.rls.rule.label));
  return [
    'DO $pamc$',
    'BEGIN',
    '  IF NOT EXISTS (',
    '    SELECT 1 FROM pg_catalog.pg_policies',
    `    WHERE schemaname = ${quoteLiteral(t.schema)} AND tablename = ${quoteLiteral(t.name)} AND policyname = ${nameLiteral}`,
    '  ) THEN',
    `    ${createPolicySql(t, op)}`,
    '  END IF;',
    'END',
    '$pamc$;',
  ].join('\n');
}

function addPolicy(change: AddPolicy): string[] {
  return [grant(change.table, [change.operation], AUTHENTICATED), policy(change.table, change.operation)];
}

function commentLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).map((l) => `-- ${commentText(l)}`.trimEnd());
}

/**
 * Text for one `--` comment line. A line break ends a SQL comment, so one
 * inside a value (a file name may hold one) would turn the rest of the value
 * into SQL; every control character but the tab is written as an escape instead.
 */
function commentText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Renders the whole migration file. */
export function renderMigration(input: EmitInput, statements: readonly Statement[]): string {
  const f = input.feature;
  const header = [
    `-- Generated by pamc. Do not edit: change the spec and run \`pamc build\`.`,
    `-- feature:      ${f.name}`,
    `-- phase:        ${f.phase}${f.phaseTitle ? ` (${commentText(f.phaseTitle.replace(/\s+/g, ' '))})` : ''}`,
    `-- source:       ${commentText(f.file)}`,
    `-- version:      ${input.version}`,
    `-- environments: ${f.environments.join(', ')}`,
  ];
  if (f.description) header.push('--', ...commentLines(f.description.trim()));
  return `${header.join('\n')}\n\n${statements.map((s) => s.sql).join('\n\n')}\n`;
}
