/**
 * The SQL of access: row level security, grants, policies and the helper
 * functions rules call. `policiesOf` and `grantsOf` are also what verify
 * expects the catalog to hold, so both read the same definitions.
 *
 * Every rule becomes its own named, permissive policies, `TO` the roles it is
 * for, comparing with `(select auth.uid())` (evaluated once per statement).
 * Policies that let rows be inserted on an owner table also check that the
 * new row belongs to whoever inserts it. A parent rule adds one RESTRICTIVE
 * policy: a row is only ever written under a parent its writer owns, whatever
 * other policy lets the write in, so a foreign key (which PostgreSQL checks
 * without row level security) cannot point a row at someone else's. Being
 * restrictive, it also closes that hole on a table shipped before its parent
 * rule was added.
 */
import type { ApiRole, Operation } from '../model/types.js';
import { membersPolicyName, openPolicyName, parentGuardName, parentPolicyName, policyName } from '../model/names.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import { HELPER_SCHEMA, memberName, ownsName, type HelperFunction } from '../diff/functions.js';
import { ownerColumn, type RuleState, type TableState } from '../diff/state.js';

export const OPERATIONS: readonly Operation[] = ['select', 'insert', 'update', 'delete'];
const SQL = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' } as const satisfies Record<Operation, string>;

/** The role Supabase's backend key uses; it bypasses RLS but still needs table privileges. */
export const SERVICE_ROLE = 'service_role';
/** The role of signed-in users. */
export const AUTHENTICATED = 'authenticated';

/** PolicySpec is one policy as pamc writes it and verify expects it. */
export interface PolicySpec {
  name: string;
  command: 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE' | 'ALL';
  roles: ApiRole[];
  using: string | null;
  check: string | null;
  /** False for the one restrictive policy of a parent rule. */
  permissive: boolean;
}

/** The SQL expression owner policies compare with: evaluated once per statement, not per row. */
export function ownerPredicate(owner: string): string {
  return `(select auth.uid()) = ${quoteIdent(owner)}`;
}

function helper(name: string): string {
  return `${quoteIdent(HELPER_SCHEMA)}.${quoteIdent(name)}`;
}

/** `private.owns_<parent>(column)`: the user owns the row the parent column points at. */
function ownsParent(rule: RuleState): string {
  const column = rule.rule.kind === 'parent' ? rule.rule.column.value : '';
  return `${helper(ownsName(rule.parent!.name))}(${quoteIdent(column)})`;
}

/** What every inserted row must satisfy, beside the rule that lets it in: on an owner table, it is its writer's. */
function invariants(table: TableState, operation: 'insert' | 'update', except: RuleState): string[] {
  const owner = ownerColumn(table.rls);
  return operation === 'insert' && owner && except.rule.kind !== 'owner' ? [ownerPredicate(owner)] : [];
}

/** The restrictive policy of a parent rule: every row written (by anyone but the service role) is under a parent its writer owns, or none. */
function parentGuard(table: TableState, rule: RuleState): PolicySpec {
  const label = table.rls.kind === 'rules' ? table.rls.label : table.name;
  const column = rule.rule.kind === 'parent' ? rule.rule.column.value : '';
  return {
    name: parentGuardName(label, rule.parent?.label ?? ''),
    command: 'ALL',
    roles: ['anon', AUTHENTICATED],
    using: 'true',
    check: `${quoteIdent(column)} IS NULL OR ${ownsParent(rule)}`,
    permissive: false,
  };
}

function both(parts: readonly string[]): string {
  return parts.length === 1 ? parts[0]! : parts.map((p) => (p.startsWith('(') && p.endsWith(')') ? p : `(${p})`)).join(' AND ');
}

/** The row a rule reaches, as one predicate, and the roles it is for. */
function reach(rule: RuleState): { roles: ApiRole[]; predicate: string } | null {
  const r = rule.rule;
  switch (r.kind) {
    case 'owner':
      return { roles: [AUTHENTICATED], predicate: ownerPredicate(r.column.value) };
    case 'public':
    case 'signed_in':
      return { roles: r.kind === 'public' ? ['anon', AUTHENTICATED] : [AUTHENTICATED], predicate: r.where ? r.where.value : 'true' };
    case 'parent':
      return rule.parent ? { roles: [AUTHENTICATED], predicate: ownsParent(rule) } : null;
    case 'members': {
      const through = r.through.value.split('.').pop()!;
      const roles = r.roles ? `, ARRAY[${r.roles.values.value.map(quoteLiteral).join(', ')}]::text[]` : '';
      return { roles: [AUTHENTICATED], predicate: `${helper(memberName(through, r))}(${quoteIdent(r.group.value)}${roles})` };
    }
    case 'policy':
      return null;
  }
}

function name(table: TableState, rule: RuleState, operation: Operation): string {
  const label = table.rls.kind === 'rules' ? table.rls.label : table.name;
  const r = rule.rule;
  switch (r.kind) {
    case 'owner':
      return policyName(operation, label);
    case 'public':
    case 'signed_in':
      return openPolicyName(r.kind, operation, label);
    case 'parent':
      return parentPolicyName(operation, label, rule.parent?.label ?? '');
    case 'members':
      return membersPolicyName(operation, label, r.roles?.values.value ?? null);
    case 'policy':
      return r.name.value;
  }
}

/**
 * The policies of one rule, for `operations`; without them, every operation
 * it allows and, for a parent rule, its restrictive policy.
 */
export function rulePolicies(table: TableState, rule: RuleState, operations?: readonly Operation[]): PolicySpec[] {
  const r = rule.rule;
  if (r.kind === 'policy') {
    const command = r.command === 'all' ? 'ALL' : SQL[r.command];
    return [{ name: r.name.value, command, roles: [...r.to], using: r.using?.value ?? null, check: r.withCheck?.value ?? null, permissive: true }];
  }
  const reached = reach(rule);
  if (!reached) return [];
  const wanted = operations ?? rule.operations.map((p) => p.operation);
  const out = OPERATIONS.filter((op) => wanted.includes(op)).map((op): PolicySpec => {
    const writes = op === 'insert' || op === 'update' ? both([reached.predicate, ...invariants(table, op, rule)]) : null;
    return {
      name: name(table, rule, op),
      command: SQL[op],
      roles: reached.roles,
      using: op === 'insert' ? null : reached.predicate,
      check: writes,
      permissive: true,
    };
  });
  return r.kind === 'parent' && !operations ? [...out, parentGuard(table, rule)] : out;
}

/** Every policy of a table's rules. */
export function policiesOf(table: TableState): PolicySpec[] {
  return table.rls.kind === 'rules' ? table.rls.rules.flatMap((r) => rulePolicies(table, r)) : [];
}

/** The operations each API role may do on a table under its rules (a custom policy `for all` allows all four). */
export function grantsOf(table: TableState): Map<ApiRole, Operation[]> {
  const out = new Map<ApiRole, Set<Operation>>([
    ['anon', new Set()],
    [AUTHENTICATED, new Set()],
  ]);
  for (const p of policiesOf(table)) {
    if (!p.permissive) continue;
    const ops = p.command === 'ALL' ? OPERATIONS : OPERATIONS.filter((op) => SQL[op] === p.command);
    for (const role of p.roles) for (const op of ops) out.get(role)!.add(op);
  }
  return new Map([...out].map(([role, ops]) => [role, OPERATIONS.filter((op) => ops.has(op))]));
}

export function grant(table: TableState, operations: readonly Operation[], role: string): string {
  return `GRANT ${operations.map((o) => SQL[o]).join(', ')} ON TABLE ${qualified(table.schema, table.name)} TO ${role};`;
}

/** PostgreSQL has no CREATE POLICY IF NOT EXISTS: the policy is created only where the catalog lacks it. */
export function policyStatement(table: TableState, p: PolicySpec): string {
  const using = p.using === null ? '' : ` USING (${p.using})`;
  const check = p.check === null ? '' : ` WITH CHECK (${p.check})`;
  const create = `CREATE POLICY ${quoteIdent(p.name)} ON ${qualified(table.schema, table.name)} AS ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'} FOR ${p.command} TO ${p.roles.join(', ')}${using}${check};`;
  return [
    'DO $pamc$',
    'BEGIN',
    '  IF NOT EXISTS (',
    '    SELECT 1 FROM pg_catalog.pg_policies',
    `    WHERE schemaname = ${quoteLiteral(table.schema)} AND tablename = ${quoteLiteral(table.name)} AND policyname = ${quoteLiteral(p.name)}`,
    '  ) THEN',
    `    ${create}`,
    '  END IF;',
    'END',
    '$pamc$;',
  ].join('\n');
}

/** Grants that make anon and authenticated hold exactly what the rules allow: everything revoked, then granted per role. */
export function exactGrants(table: TableState): string[] {
  const out = [`REVOKE ALL ON TABLE ${qualified(table.schema, table.name)} FROM anon, ${AUTHENTICATED};`];
  for (const [role, ops] of grantsOf(table)) if (ops.length) out.push(grant(table, ops, role));
  return out;
}

/** Row level security, grants and policies of a new table. */
export function tableAccess(table: TableState): string[] {
  const name = qualified(table.schema, table.name);
  const service = grant(table, OPERATIONS, SERVICE_ROLE);
  if (table.rls.kind === 'disabled') {
    const waived = `-- Row level security waived: ${table.rls.waiver.reason.replace(/\s+/g, ' ')}`;
    return table.rls.exactGrants ? [waived, `REVOKE ALL ON TABLE ${name} FROM anon, ${AUTHENTICATED};`, service] : [waived];
  }
  if (table.rls.kind !== 'rules') return [];
  const grants = table.rls.exactGrants
    ? exactGrants(table)
    : grantsOf(table).get(AUTHENTICATED)!.length
      ? [grant(table, grantsOf(table).get(AUTHENTICATED)!, AUTHENTICATED)]
      : [];
  return [`ALTER TABLE ${name} ENABLE ROW LEVEL SECURITY;`, ...grants, service, ...policiesOf(table).map((p) => policyStatement(table, p))];
}

/** A rule added to a table: its grants and its policies. */
export function ruleAccess(table: TableState, rule: RuleState, operations?: readonly Operation[]): string[] {
  const policies = rulePolicies(table, rule, operations);
  const out: string[] = [];
  for (const role of ['anon', AUTHENTICATED] as const) {
    const ops = OPERATIONS.filter((op) => policies.some((p) => p.permissive && p.roles.includes(role) && (p.command === 'ALL' || p.command === SQL[op])));
    if (ops.length) out.push(grant(table, ops, role));
  }
  return [...out, ...policies.map((p) => policyStatement(table, p))];
}

const PARAMETER_TYPE: Record<string, string> = {
  serial: 'integer',
  serial4: 'integer',
  bigserial: 'bigint',
  serial8: 'bigint',
  smallserial: 'smallint',
  serial2: 'smallint',
};

function parameterType(type: string): string {
  return PARAMETER_TYPE[type.trim().toLowerCase()] ?? type;
}

/**
 * The CREATE FUNCTION of a helper function, and who may run it: the API
 * roles, whose policies call it (a parent rule's restrictive policy applies
 * to anon too; for anon, auth.uid() is NULL and the answer is false).
 */
export function functionStatements(fn: HelperFunction): string[] {
  const body =
    fn.kind === 'owns'
      ? `SELECT EXISTS (SELECT 1 FROM ${qualified(fn.table.schema, fn.table.name)} t WHERE t.${quoteIdent(fn.key.column)} = _id AND ${
          fn.owner ? `t.${quoteIdent(fn.owner)} = (select auth.uid())` : `${helper(fn.parent!.fn)}(t.${quoteIdent(fn.parent!.column)})`
        })`
      : `SELECT EXISTS (SELECT 1 FROM ${qualified(fn.through.schema, fn.through.name)} m WHERE m.${quoteIdent(fn.group.column)} = _group AND m.${quoteIdent(fn.user)} = (select auth.uid())${
          fn.roleColumn ? ` AND m.${quoteIdent(fn.roleColumn)}::text = ANY (_roles)` : ''
        })`;
  const params =
    fn.kind === 'owns' ? [`_id ${parameterType(fn.key.type)}`] : [`_group ${parameterType(fn.group.type)}`, ...(fn.roleColumn ? ['_roles text[]'] : [])];
  const signature = `${helper(fn.name)}(${params.map((p) => p.slice(p.indexOf(' ') + 1)).join(', ')})`;
  return [
    `CREATE OR REPLACE FUNCTION ${helper(fn.name)}(${params.join(', ')})\nRETURNS boolean\nLANGUAGE sql\nSTABLE\nSECURITY DEFINER\nSET search_path = ''\nAS $pamc$\n  ${body}\n$pamc$;`,
    `REVOKE ALL ON FUNCTION ${signature} FROM PUBLIC;`,
    `GRANT EXECUTE ON FUNCTION ${signature} TO anon, ${AUTHENTICATED};`,
  ];
}

/** The schema of helper functions, where the API does not look, usable by the policies of the API roles. */
export function helperSchema(): string[] {
  return [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(HELPER_SCHEMA)};`, `GRANT USAGE ON SCHEMA ${quoteIdent(HELPER_SCHEMA)} TO anon, ${AUTHENTICATED};`];
}
