/**
 * The fold's side of access rules: the rule states a new table starts with,
 * what an extension adds (owner operations, new rules, exact grants), the
 * helper functions rules need, and the facts the rules judge about them
 * (what a rule names must exist at that point).
 */
import type { Span } from '../report/diagnostic.js';
import type { FoldFact } from '../rules/facts.js';
import type { AccessRule, Column, Extension, Located, Operation, Table } from '../model/types.js';
import type { AdditiveChange } from './changes.js';
import { HELPER_SCHEMA, memberName, ownsName, type HelperFunction } from './functions.js';
import { cloneTable, ownerColumn, tableKey, type Origin, type RlsState, type RuleState, type SchemaState, type TableState } from './state.js';

/** AccessContext is what the fold lends this module for one feature. */
export interface AccessContext {
  state: SchemaState;
  /** Helper functions created so far, by name. */
  functions: Map<string, HelperFunction>;
  origin: Origin;
  delta: AdditiveChange[];
  accept(fact: FoldFact): boolean;
}

/** The key of a rule among a table's rules (members rules by their place, policies by name). */
function ruleKey(rule: AccessRule): string {
  switch (rule.kind) {
    case 'members':
      // A members rule is who it lets in: its group, membership table, user column and roles (not its place in the list).
      return `members:${rule.group.value}:${rule.through.value}:${rule.user.value}:${rule.roles ? [...rule.roles.values.value].sort().join(',') : '*'}`;
    case 'policy':
      return `policy:${rule.name.value}`;
    default:
      return rule.kind;
  }
}

function operationsOf(rule: AccessRule): Array<{ operation: Operation; span: Span }> {
  if (rule.kind === 'policy') return [];
  return rule.allow.value.map((operation) => ({ operation, span: rule.allow.span }));
}

/** A rule as the state holds it, with the feature that adds it. */
function ruleState(rule: AccessRule, origin: Origin, reason: Located<string> | null): RuleState {
  return { rule, key: ruleKey(rule), operations: operationsOf(rule).map((p) => ({ ...p, origin })), origin, reason };
}

/** The row level security a new table starts with. */
export function initialRls(table: Table, origin: Origin, exactGrants: boolean): RlsState {
  const rls = table.rls;
  if (rls?.kind === 'disabled') return { kind: 'disabled', waiver: rls, origin, exactGrants };
  if (!rls) return { kind: 'disabled', waiver: { kind: 'disabled', reason: '', span: table.span }, origin, exactGrants };
  const rules: RuleState[] = [];
  for (const rule of rls.rules) rules.push(ruleState(rule, origin, null));
  return { kind: 'rules', label: rls.label, serviceOnly: rls.serviceOnly, rules, origin, exactGrants };
}

/** The table a column of `table` references, if any. */
function referenced(ctx: AccessContext, table: TableState, column: string): TableState | undefined {
  const ref = table.columns.find((c) => c.column.name === column)?.column.references;
  return ref ? ctx.state.get(tableKey(ref.schema, ref.table)) : undefined;
}

/**
 * The membership table's column naming the group: the one that references
 * the table this table's group column references (or this table, when the
 * group column is its own key); else the column of the same name.
 */
export function membershipGroup(table: TableState, group: string, through: TableState): string | null {
  const own = table.columns.find((c) => c.column.name === group)?.column;
  const targetOf = (c: Column): string | null => (c.references ? tableKey(c.references.schema, c.references.table) : null);
  const groups = own?.references ? targetOf(own) : tableKey(table.schema, table.name);
  const referencing = through.columns.filter((c) => targetOf(c.column) === groups);
  if (referencing.length === 1) return referencing[0]!.column.name;
  return through.columns.some((c) => c.column.name === group) ? group : null;
}

/** The table a rule reaches through: a parent rule's parent, a members rule's membership table. */
function ruleTarget(ctx: AccessContext, table: TableState, rule: AccessRule): TableState | undefined {
  if (rule.kind === 'parent') return referenced(ctx, table, rule.column.value);
  if (rule.kind === 'members') {
    const [schema, name] = rule.through.value.includes('.') ? rule.through.value.split('.') : ['public', rule.through.value];
    return ctx.state.get(tableKey(schema!, name!));
  }
  return undefined;
}

/** Judges what a rule names, and adds the helper functions it calls; false when it cannot stand. A parent rule learns its parent. */
export function checkRule(ctx: AccessContext, table: TableState, state: RuleState): boolean {
  const rule = state.rule;
  const target = ruleTarget(ctx, table, rule);
  const groupColumn = rule.kind === 'members' && target ? membershipGroup(table, rule.group.value, target) : null;
  if (!ctx.accept({ kind: 'access-rule', span: rule.span, table, rule, target, groupColumn })) return false;
  if (rule.kind === 'parent' && target) {
    ensureOwns(ctx, target);
    state.parent = { schema: target.schema, name: target.name, label: target.rls.kind === 'rules' ? target.rls.label : target.name.replace(/_/g, ' ') };
  }
  if (rule.kind === 'members' && target && groupColumn) {
    ensureMember(ctx, target, rule, groupColumn);
    state.members = { schema: target.schema, name: target.name, groupColumn };
  }
  return true;
}

function add(ctx: AccessContext, fn: HelperFunction): string {
  if (!ctx.functions.has(fn.name)) {
    ctx.functions.set(fn.name, fn);
    ctx.delta.push({ kind: 'add_function', fn });
  }
  return `${HELPER_SCHEMA}.${fn.name}`;
}

/** The function that tells whether the user owns a row of `table` (through its owner rule, or its parent's function). */
function ensureOwns(ctx: AccessContext, table: TableState): void {
  const pk = table.columns.filter((c) => c.column.primaryKey);
  if (pk.length !== 1) return;
  const owner = ownerColumn(table.rls);
  const parentRule = table.rls.kind === 'rules' ? table.rls.rules.find((r) => r.rule.kind === 'parent')?.rule : undefined;
  let parent: { column: string; fn: string } | null = null;
  if (!owner && parentRule?.kind === 'parent') {
    const grandparent = referenced(ctx, table, parentRule.column.value);
    if (!grandparent) return;
    ensureOwns(ctx, grandparent);
    parent = { column: parentRule.column.value, fn: ownsName(grandparent.name) };
  }
  if (!owner && !parent) return;
  const key = pk[0]!.column;
  add(ctx, {
    kind: 'owns',
    name: ownsName(table.name),
    table: { schema: table.schema, name: table.name },
    key: { column: key.name, type: key.type.value },
    owner,
    parent,
  });
}

function ensureMember(ctx: AccessContext, through: TableState, rule: Extract<AccessRule, { kind: 'members' }>, groupColumn: string): void {
  const group = through.columns.find((c) => c.column.name === groupColumn)?.column;
  if (!group) return;
  add(ctx, {
    kind: 'member',
    name: memberName(through.name, rule),
    through: { schema: through.schema, name: through.name },
    group: { column: group.name, type: group.type.value },
    user: rule.user.value,
    roleColumn: rule.roles?.column ?? null,
  });
}

/** The rules of a new table, judged, with their functions. */
export function checkTableRules(ctx: AccessContext, table: TableState): void {
  if (table.rls.kind !== 'rules') return;
  for (const r of table.rls.rules) checkRule(ctx, table, r);
  ctx.accept({ kind: 'policy-names', span: table.span, table, added: null, lookup: (schema, name) => ctx.state.get(tableKey(schema, name)) });
}

/** Adds what an extension says of row level security: owner operations, new rules, exact grants. */
export function extendRls(ctx: AccessContext, ext: Extension, target: TableState): void {
  for (const operation of ext.rls?.allow?.value ?? []) {
    const span = ext.rls!.allow!.span;
    if (!ctx.accept({ kind: 'permission', span, table: target, operation })) {
      if (!ownerColumn(target.rls)) break;
      continue;
    }
    const owner = target.rls.kind === 'rules' ? target.rls.rules.find((r) => r.rule.kind === 'owner') : undefined;
    if (!owner || owner.operations.some((p) => p.operation === operation)) continue;
    owner.operations.push({ operation, origin: ctx.origin, span });
    ctx.delta.push({ kind: 'add_operation', table: cloneTable(target), rule: owner, operation, span });
  }
  const added: RuleState[] = [];
  for (const rule of ext.rls?.rules ?? []) {
    if (!ctx.accept({ kind: 'new-rule', span: rule.span, table: target, rule }) || target.rls.kind !== 'rules') continue;
    const state = ruleState(rule, ctx.origin, ext.rls!.reason);
    if (!checkRule(ctx, target, state)) continue;
    target.rls.rules.push(state);
    added.push(state);
    ctx.delta.push({ kind: 'add_rule', table: cloneTable(target), rule: state, span: rule.span });
  }
  if (added.length) ctx.accept({ kind: 'policy-names', span: ext.span, table: target, added, lookup: (schema, name) => ctx.state.get(tableKey(schema, name)) });
  if (ext.exactGrants && !ctx.accept({ kind: 'exact-grants', span: ext.exactGrants.span, table: target })) return;
  if (ext.exactGrants && target.rls.kind !== 'unmanaged') {
    target.rls.exactGrants = true;
    ctx.delta.push({ kind: 'exact_grants', table: cloneTable(target), span: ext.exactGrants.span });
  }
}
