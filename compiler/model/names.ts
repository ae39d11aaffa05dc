/**
 * Derived names: the constraint, index and policy names pamc writes. They are
 * computed in one place so that the model (length checks), the emitter (SQL)
 * and verify (catalog comparison) agree.
 */
import type { Column, Operation, Table } from './types.js';

const VERBS: Record<Operation, string> = { select: 'read', insert: 'insert', update: 'update', delete: 'delete' };

/** The playbook's policy name: "Users can read own messages". */
export function policyName(operation: Operation, label: string): string {
  return `Users can ${VERBS[operation]} own ${label}`;
}

export function primaryKeyName(table: string): string {
  return `${table}_pkey`;
}

export function ownerIndexName(table: string, owner: string): string {
  return `${table}_${owner}_idx`;
}

/** Constraint names derived from one column: [what, name] pairs. */
export function derivedNames(table: string, column: Column): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (column.unique) out.push(['unique constraint name', uniqueName(table, column.name)]);
  if (column.references) out.push(['foreign key name', foreignKeyName(table, column.name)]);
  if (column.in) out.push(['check constraint name', inCheckName(table, column.name)]);
  if (column.check) out.push(['check constraint name', checkName(table, column)]);
  return out;
}

export function uniqueName(table: string, column: string): string {
  return `${table}_${column}_key`;
}
export function foreignKeyName(table: string, column: string): string {
  return `${table}_${column}_fkey`;
}
export function inCheckName(table: string, column: string): string {
  return `${table}_${column}_check`;
}
/** The `check:` constraint; `_check1` when an `in:` list already took `_check`, as PostgreSQL would name it. */
export function checkName(table: string, column: Column): string {
  return `${table}_${column.name}_check${column.in ? '1' : ''}`;
}

/** Relation names a table occupies in its schema (the table, its primary key and unique indexes). */
export function relationNames(table: Pick<Table, 'name' | 'columns'>): string[] {
  const names = [table.name];
  if (table.columns.some((c) => c.primaryKey)) names.push(primaryKeyName(table.name));
  for (const c of table.columns) if (c.unique) names.push(uniqueName(table.name, c.name));
  return names;
}

/** "Anyone can read <label>" (public) or "Signed-in users can read <label>" (signed_in). */
export function openPolicyName(kind: 'public' | 'signed_in', operation: Operation, label: string): string {
  return `${kind === 'public' ? 'Anyone' : 'Signed-in users'} can ${VERBS[operation]} ${label}`;
}

/** "Users can read <label> of own <parent label>". */
export function parentPolicyName(operation: Operation, label: string, parentLabel: string): string {
  return `Users can ${VERBS[operation]} ${label} of own ${parentLabel}`;
}

/** "<label> only under own <parent label>": the restrictive policy of a parent rule. */
export function parentGuardName(label: string, parentLabel: string): string {
  return `Users can write ${label} only under own ${parentLabel}`;
}

/** "Members can read <label>", or with roles "Members (owner, admin) can update <label>". */
export function membersPolicyName(operation: Operation, label: string, roles: readonly string[] | null): string {
  return `Members${roles ? ` (${roles.join(', ')})` : ''} can ${VERBS[operation]} ${label}`;
}
