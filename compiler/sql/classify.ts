/**
 * What a statement of a SQL feature does, read from its parse tree.
 *
 * Input: one statement's parse tree (`{ DropStmt: {...} }`), as
 * ./parser.ts gives it. Output: SqlAction[]: one per thing it does (an ALTER
 * TABLE with several subcommands does several). Nothing here judges: the
 * rules of SQL features (../rules/sql-*.ts) decide what is refused. Pure.
 */

/** The schemas Supabase's API exposes by default; what is in them, anon may reach through the API unless grants say otherwise. */
export const EXPOSED_SCHEMAS: readonly string[] = ['public', 'graphql_public'];

/** Relation is a schema-qualified name as a statement writes it; an unqualified name is in public (the search_path of a migration). */
export interface Relation {
  schema: string;
  name: string;
}

/** AlterChange is what an ALTER takes away: a part dropped, a name changed, an object moved to another schema, a column retyped. */
export type AlterChange = 'drop' | 'rename' | 'move' | 'retype';

/** SqlAction is one thing a statement of a SQL feature does. `object` texts name what it acts on, for messages ("table public.trips"). */
export type SqlAction =
  /** DROP of any object, DROP OWNED, DROP ROLE, DROP DATABASE. */
  | { kind: 'drop'; object: string }
  | { kind: 'truncate'; object: string }
  | { kind: 'delete'; table: Relation }
  | { kind: 'update'; table: Relation; where: boolean }
  /** An ALTER that drops part of an object, renames it, moves it to another schema or retypes a column. */
  | { kind: 'alter'; change: AlterChange; object: string }
  /** ALTER TABLE ... DISABLE ROW LEVEL SECURITY, or NO FORCE ROW LEVEL SECURITY. */
  | { kind: 'row-security'; table: Relation; change: 'disable' | 'no force' }
  /**
   * GRANT of privileges (`defaults`: under ALTER DEFAULT PRIVILEGES), or of
   * a role (`role`), to `roles` (lower case; `public` for PUBLIC). `tables`:
   * the tables it names; `allTablesIn`: schemas of ALL TABLES IN SCHEMA.
   */
  | { kind: 'grant'; object: string; roles: string[]; tables: Relation[]; allTablesIn: string[]; defaults: boolean; role: boolean }
  /** CREATE POLICY, or ALTER POLICY. */
  | { kind: 'policy'; table: Relation; alter: boolean }
  /** CREATE TABLE, CREATE TABLE AS, SELECT INTO, CREATE FOREIGN TABLE. */
  | { kind: 'create-table'; table: Relation }
  /** CREATE VIEW or CREATE MATERIALIZED VIEW; `reads`: every relation its query names. `guarded`: OR REPLACE (IF NOT EXISTS for a materialized view). */
  | { kind: 'view'; view: Relation; materialized: boolean; guarded: boolean; invoker: boolean; reads: Relation[] }
  /**
   * CREATE FUNCTION or PROCEDURE. `searchPath`: the definition sets
   * search_path; `callable`: the API can call it (a function that returns
   * neither trigger nor event_trigger; PostgREST does not call procedures).
   */
  | { kind: 'function'; name: Relation; guarded: boolean; definer: boolean; searchPath: boolean; callable: boolean }
  /** Another CREATE (trigger, index, schema, type, ...): `guarded` when written with OR REPLACE or IF NOT EXISTS; `guard`: the form that would be, if PostgreSQL has one. */
  | { kind: 'create'; object: string; guarded: boolean; guard: string | null }
  /** ALTER TABLE ... ADD COLUMN or ADD CONSTRAINT; `guarded`: ADD COLUMN IF NOT EXISTS. */
  | { kind: 'add'; object: string; guarded: boolean }
  | { kind: 'insert'; table: Relation; onConflict: boolean }
  /** A statement that ends or opens a transaction, or that cannot run inside one. */
  | { kind: 'transaction'; what: string }
  /** A DO block, in its language (lower case). */
  | { kind: 'block'; language: string }
  | { kind: 'other' };

type Node = Record<string, unknown>;
type Handler = (n: Node) => SqlAction[];

function obj(v: unknown): Node {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Node) : {};
}

function list(v: unknown): Node[] {
  return Array.isArray(v) ? (v as Node[]) : [];
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** The name a node spells: a String, a List or name list of Strings, an ObjectWithArgs, a TypeName, a RangeVar, a RoleSpec. */
export function nameOf(node: unknown): string {
  if (Array.isArray(node)) return node.map(nameOf).filter(Boolean).join('.');
  const n = obj(node);
  if ('String' in n) return str(obj(n.String).sval);
  if ('List' in n) return nameOf(obj(n.List).items);
  if ('ObjectWithArgs' in n) return nameOf(obj(n.ObjectWithArgs).objname);
  if ('TypeName' in n) return nameOf(obj(n.TypeName).names);
  if ('RangeVar' in n) return relationText(relation(n.RangeVar));
  if ('RoleSpec' in n) return obj(n.RoleSpec).roletype === 'ROLESPEC_PUBLIC' ? 'PUBLIC' : str(obj(n.RoleSpec).rolename);
  return '';
}

/** A RangeVar (or a name list) as a Relation; public when unqualified. */
export function relation(v: unknown): Relation {
  if (Array.isArray(v)) {
    const parts = v.map(nameOf);
    return { schema: parts.length > 1 ? parts[parts.length - 2]! : 'public', name: parts[parts.length - 1] ?? '' };
  }
  const r = obj(v);
  return { schema: str(r.schemaname) || 'public', name: str(r.relname) };
}

export function relationText(r: Relation): string {
  return `${r.schema}.${r.name}`;
}

/** "OBJECT_MATVIEW" → "materialized view". */
function objectType(t: unknown): string {
  const words: Record<string, string> = { MATVIEW: 'materialized view', FOREIGN_TABLE: 'foreign table', TABCONSTRAINT: 'constraint', ROUTINE: 'routine' };
  const key = str(t).replace(/^OBJECT_/, '');
  return words[key] ?? key.toLowerCase().replace(/_/g, ' ');
}

/** Every RangeVar under a node: the relations a query reads. */
function rangeVars(node: unknown, out: Relation[] = []): Relation[] {
  if (Array.isArray(node)) for (const x of node) rangeVars(x, out);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node as Node)) {
      if (k === 'RangeVar') out.push(relation(v));
      rangeVars(v, out);
    }
  }
  return out;
}

/** The roles of a grant's RoleSpec list, lower case; PUBLIC is `public`. */
function roles(specs: unknown): string[] {
  return list(specs).map((s) => {
    const r = obj(obj(s).RoleSpec);
    return r.roletype === 'ROLESPEC_PUBLIC' ? 'public' : str(r.rolename).toLowerCase();
  });
}

function option(options: unknown, name: string): Node | undefined {
  return list(options)
    .map((o) => obj(o.DefElem))
    .find((d) => d.defname === name);
}

/** Whether a DefElem's value is true as a reloption (`true`, `on`, `1`, `yes`, or the bare option). */
function truthy(d: Node | undefined): boolean {
  if (!d) return false;
  if (d.arg === undefined) return true;
  const a = obj(d.arg);
  if ('Boolean' in a) return obj(a.Boolean).boolval === true;
  if ('Integer' in a) return obj(a.Integer).ival === 1;
  return ['true', 'on', '1', 'yes'].includes(str(obj(a.String).sval).toLowerCase());
}

function grant(n: Node, defaults: boolean): SqlAction[] {
  if (n.is_grant !== true) return [{ kind: 'other' }];
  const type = objectType(n.objtype);
  const objects = list(n.objects);
  const all = n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA';
  const tables = n.objtype === 'OBJECT_TABLE' && !all ? objects.map((o) => relation(o.RangeVar)) : [];
  const allTablesIn = all && n.objtype === 'OBJECT_TABLE' ? objects.map(nameOf) : [];
  const object = defaults
    ? `${type}s created later`
    : all
      ? `all ${type}s in schema ${objects.map(nameOf).join(', ')}`
      : `${type} ${objects.map(nameOf).join(', ')}`;
  return [{ kind: 'grant', object, roles: roles(n.grantees), tables, allTablesIn, defaults, role: false }];
}

const ALTER_TABLE: Record<string, AlterChange> = { AT_AlterColumnType: 'retype', AT_DropNotNull: 'drop' };

/** Each subcommand of an ALTER TABLE (also ALTER VIEW, ALTER TYPE ... DROP ATTRIBUTE) that the rules judge. */
function alterTable(n: Node): SqlAction[] {
  const table = relation(n.relation);
  const what = `${objectType(n.objtype)} ${relationText(table)}`;
  return list(n.cmds).map((c): SqlAction => {
    const cmd = obj(c.AlterTableCmd);
    const subtype = str(cmd.subtype);
    const name = str(cmd.name);
    const part = !name ? what : subtype === 'AT_DropConstraint' ? `constraint ${name} of ${what}` : `column ${relationText(table)}.${name}`;
    if (subtype === 'AT_DisableRowSecurity') return { kind: 'row-security', table, change: 'disable' };
    if (subtype === 'AT_NoForceRowSecurity') return { kind: 'row-security', table, change: 'no force' };
    if (subtype.startsWith('AT_Drop') || ALTER_TABLE[subtype] === 'drop') return { kind: 'alter', change: 'drop', object: part };
    if (subtype === 'AT_ColumnDefault' && cmd.def === undefined) return { kind: 'alter', change: 'drop', object: `the default of ${part}` };
    if (ALTER_TABLE[subtype] === 'retype') return { kind: 'alter', change: 'retype', object: part };
    if (subtype === 'AT_AddColumn')
      return { kind: 'add', object: `column ${str(obj(obj(cmd.def).ColumnDef).colname)} to ${what}`, guarded: cmd.missing_ok === true };
    if (subtype === 'AT_AddConstraint') return { kind: 'add', object: `a constraint to ${what}`, guarded: false };
    return { kind: 'other' };
  });
}

function createFunction(n: Node): SqlAction[] {
  const returns = nameOf(obj(n.returnType).names).replace(/^pg_catalog\./, '');
  const set = obj(option(n.options, 'set')?.arg).VariableSetStmt;
  const searchPath = obj(set).name === 'search_path' && ['VAR_SET_VALUE', 'VAR_SET_CURRENT'].includes(str(obj(set).kind));
  const callable = n.is_procedure !== true && returns !== 'trigger' && returns !== 'event_trigger';
  const definer = truthy(option(n.options, 'security'));
  return [{ kind: 'function', name: relation(list(n.funcname)), guarded: n.replace === true, definer, searchPath, callable }];
}

function view(n: Node): SqlAction[] {
  const invoker = truthy(option(n.options, 'security_invoker'));
  return [{ kind: 'view', view: relation(n.view), materialized: false, guarded: n.replace === true, invoker, reads: rangeVars(n.query) }];
}

function createTableAs(n: Node): SqlAction[] {
  const rel = relation(obj(n.into).rel);
  if (n.objtype !== 'OBJECT_MATVIEW') return [{ kind: 'create-table', table: rel }];
  return [{ kind: 'view', view: rel, materialized: true, guarded: n.if_not_exists === true, invoker: false, reads: rangeVars(n.query) }];
}

/** A CREATE judged only for whether it can run twice. */
function create(object: (n: Node) => string, guard: string | null, field: 'replace' | 'if_not_exists' | null): Handler {
  return (n) => [{ kind: 'create', object: object(n), guarded: field !== null && n[field] === true, guard }];
}

function doBlock(n: Node): SqlAction[] {
  const language = str(obj(obj(option(n.args, 'language')?.arg).String).sval) || 'plpgsql';
  return [{ kind: 'block', language: language.toLowerCase() }];
}

const transaction =
  (what: (n: Node) => string): Handler =>
  (n) => [{ kind: 'transaction', what: what(n) }];

const HANDLERS: Record<string, Handler> = {
  DropStmt: (n) => [{ kind: 'drop', object: `${objectType(n.removeType)} ${list(n.objects).map(nameOf).join(', ')}` }],
  TruncateStmt: (n) => [{ kind: 'truncate', object: list(n.relations).map(nameOf).join(', ') }],
  DeleteStmt: (n) => [{ kind: 'delete', table: relation(n.relation) }],
  UpdateStmt: (n) => [{ kind: 'update', table: relation(n.relation), where: n.whereClause !== undefined }],
  AlterTableStmt: alterTable,
  RenameStmt: (n) => [{ kind: 'alter', change: 'rename', object: `${objectType(n.renameType)} ${renamed(n)}` }],
  AlterObjectSchemaStmt: (n) => [
    { kind: 'alter', change: 'move', object: `${objectType(n.objectType)} ${nameOf(n.object) || relationText(relation(n.relation))}` },
  ],
  AlterEnumStmt: (n) =>
    n.oldVal ? [{ kind: 'alter', change: 'rename', object: `value '${str(n.oldVal)}' of type ${nameOf(n.typeName)}` }] : [{ kind: 'other' }],
  AlterDomainStmt: (n) =>
    ['X', 'N'].includes(str(n.subtype)) ? [{ kind: 'alter', change: 'drop', object: `domain ${nameOf(n.typeName)}` }] : [{ kind: 'other' }],
  GrantStmt: (n) => grant(n, false),
  AlterDefaultPrivilegesStmt: (n) => grant(obj(n.action), true),
  GrantRoleStmt: (n) =>
    n.is_grant === true
      ? [
          {
            kind: 'grant',
            object: `role ${list(n.granted_roles)
              .map((r) => str(obj(r.AccessPriv).priv_name))
              .join(', ')}`,
            roles: roles(n.grantee_roles),
            tables: [],
            allTablesIn: [],
            defaults: false,
            role: true,
          },
        ]
      : [{ kind: 'other' }],
  CreatePolicyStmt: (n) => [{ kind: 'policy', table: relation(n.table), alter: false }],
  AlterPolicyStmt: (n) => [{ kind: 'policy', table: relation(n.table), alter: true }],
  CreateStmt: (n) => [{ kind: 'create-table', table: relation(n.relation) }],
  CreateForeignTableStmt: (n) => [{ kind: 'create-table', table: relation(obj(n.base).relation) }],
  CreateTableAsStmt: createTableAs,
  SelectStmt: (n) => (n.intoClause ? [{ kind: 'create-table', table: relation(obj(n.intoClause).rel) }] : [{ kind: 'other' }]),
  ViewStmt: view,
  CreateFunctionStmt: createFunction,
  // A constraint trigger has no OR REPLACE form.
  CreateTrigStmt: (n) =>
    create(
      () => `trigger ${str(n.trigname)} on ${relationText(relation(n.relation))}`,
      n.isconstraint === true ? null : 'CREATE OR REPLACE TRIGGER',
      'replace',
    )(n),
  IndexStmt: (n) =>
    n.concurrent === true
      ? [{ kind: 'transaction', what: 'CREATE INDEX CONCURRENTLY' }]
      : create(() => `index ${str(n.idxname) || `on ${relationText(relation(n.relation))}`}`, 'CREATE INDEX IF NOT EXISTS', 'if_not_exists')(n),
  CreateSchemaStmt: create((n) => `schema ${str(n.schemaname)}`, 'CREATE SCHEMA IF NOT EXISTS', 'if_not_exists'),
  CreateExtensionStmt: create((n) => `extension ${str(n.extname)}`, 'CREATE EXTENSION IF NOT EXISTS', 'if_not_exists'),
  CreateSeqStmt: create((n) => `sequence ${relationText(relation(n.sequence))}`, 'CREATE SEQUENCE IF NOT EXISTS', 'if_not_exists'),
  CreateEnumStmt: create((n) => `type ${nameOf(n.typeName)}`, null, null),
  CompositeTypeStmt: create((n) => `type ${relationText(relation(n.typevar))}`, null, null),
  CreateRangeStmt: create((n) => `type ${nameOf(n.typeName)}`, null, null),
  CreateDomainStmt: create((n) => `domain ${nameOf(n.domainname)}`, null, null),
  DefineStmt: (n) =>
    n.kind === 'OBJECT_AGGREGATE'
      ? create(() => `aggregate ${nameOf(n.defnames)}`, 'CREATE OR REPLACE AGGREGATE', 'replace')(n)
      : create(() => `${objectType(n.kind)} ${nameOf(n.defnames)}`, null, 'if_not_exists')(n),
  CreateRoleStmt: create((n) => `role ${str(n.role)}`, null, null),
  CreateEventTrigStmt: create((n) => `event trigger ${str(n.trigname)}`, null, null),
  CreatePublicationStmt: create((n) => `publication ${str(n.pubname)}`, null, null),
  RuleStmt: create((n) => `rule ${str(n.rulename)} on ${relationText(relation(n.relation))}`, 'CREATE OR REPLACE RULE', 'replace'),
  InsertStmt: (n) => [{ kind: 'insert', table: relation(n.relation), onConflict: n.onConflictClause !== undefined }],
  DoStmt: doBlock,
  TransactionStmt: transaction((n) =>
    str(n.kind)
      .replace(/^TRANS_STMT_/, '')
      .replace(/_/g, ' '),
  ),
  VacuumStmt: (n) => (n.is_vacuumcmd === true ? [{ kind: 'transaction', what: 'VACUUM' }] : [{ kind: 'other' }]),
  CreatedbStmt: transaction(() => 'CREATE DATABASE'),
  AlterSystemStmt: transaction(() => 'ALTER SYSTEM'),
  ReindexStmt: (n) => (option(n.params, 'concurrently') ? [{ kind: 'transaction', what: 'REINDEX CONCURRENTLY' }] : [{ kind: 'other' }]),
};

/** What a statement does; `other` for what the rules do not judge. */
export function classify(stmt: Record<string, unknown>): SqlAction[] {
  const [name, node] = Object.entries(stmt)[0] ?? ['', {}];
  const handler = HANDLERS[name];
  if (handler) return handler(obj(node));
  return name.startsWith('Drop') ? [{ kind: 'drop', object: dropped(name, obj(node)) }] : [{ kind: 'other' }];
}

/** What a RENAME names: an object, a relation, or a part of one (`public.profiles.username`). */
function renamed(n: Node): string {
  const owner = nameOf(n.object) || (n.relation ? relationText(relation(n.relation)) : '');
  return [owner, str(n.subname)].filter(Boolean).join('.');
}

/** DROP OWNED, DROP ROLE, DROP DATABASE and the other DROP statements that are not DropStmt. */
function dropped(name: string, n: Node): string {
  const words: Record<string, string> = { DropOwnedStmt: 'owned by', DropdbStmt: 'database', DropTableSpaceStmt: 'tablespace' };
  const what = (words[name] ?? name)
    .replace(/^Drop/, '')
    .replace(/Stmt$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase();
  const target = str(n.dbname) || str(n.subname) || str(n.tablespacename) || list(n.roles).map(nameOf).join(', ');
  return target ? `${what} ${target}` : what;
}
