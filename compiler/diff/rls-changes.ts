/**
 * The difference between two states of one table's row level security: rules
 * added, dropped or changed, operations added or removed, and changes of the
 * whole (waived, service only, another label).
 */
import type { AccessRule } from '../model/types.js';
import type { Change } from './changes.js';
import type { RlsState, RuleState, TableState } from './state.js';

/** What identifies a rule's meaning apart from its operations: two rules with the same signature reach the same rows. */
export function ruleSignature(rule: AccessRule): string {
  switch (rule.kind) {
    case 'owner':
      return rule.column.value;
    case 'public':
    case 'signed_in':
      return rule.where?.value ?? '';
    case 'parent':
      return rule.column.value;
    case 'members':
      return JSON.stringify([
        rule.group.value,
        rule.through.value,
        rule.user.value,
        rule.roles ? [rule.roles.column, [...rule.roles.values.value].sort()] : null,
      ]);
    case 'policy':
      return JSON.stringify([rule.command, [...rule.to].sort(), rule.using?.value ?? null, rule.withCheck?.value ?? null]);
  }
}

function rlsSignature(r: RlsState): string {
  switch (r.kind) {
    case 'rules':
      return `rules:${r.label}:${r.serviceOnly}`;
    case 'disabled':
      return 'disabled';
    case 'unmanaged':
      return 'unmanaged';
  }
}

function ruleChanges(table: TableState, before: RuleState, after: RuleState): Change[] {
  if (ruleSignature(before.rule) !== ruleSignature(after.rule)) return [{ kind: 'alter_rule', table, before, after }];
  const out: Change[] = [];
  const had = new Set(before.operations.map((p) => p.operation));
  const has = new Set(after.operations.map((p) => p.operation));
  for (const p of after.operations) if (!had.has(p.operation)) out.push({ kind: 'add_operation', table, rule: after, operation: p.operation, span: p.span });
  for (const p of before.operations) if (!has.has(p.operation)) out.push({ kind: 'drop_operation', table, rule: after, operation: p.operation });
  return out;
}

/** The changes of `after`'s row level security against `before`'s. */
export function diffRls(before: TableState, after: TableState): Change[] {
  if (rlsSignature(before.rls) !== rlsSignature(after.rls)) return [{ kind: 'alter_rls', table: after, before: before.rls, after: after.rls }];
  if (before.rls.kind !== 'rules' || after.rls.kind !== 'rules') return [];
  const out: Change[] = [];
  const old = new Map(before.rls.rules.map((r) => [r.key, r]));
  for (const rule of after.rls.rules) {
    const was = old.get(rule.key);
    if (was) out.push(...ruleChanges(after, was, rule));
    else out.push({ kind: 'add_rule', table: after, rule, span: rule.rule.span });
  }
  const kept = new Set(after.rls.rules.map((r) => r.key));
  for (const rule of before.rls.rules) if (!kept.has(rule.key)) out.push({ kind: 'drop_rule', table: after, rule });
  return out;
}
