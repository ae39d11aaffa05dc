import { ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'conflicting-rule',
  severity: 'error',
  stage: 'fold',
  summary:
    'An extension adds a rule the table cannot take: rules on a waived or undeclared table, a second public, signed_in or parent rule, a policy name taken, `grants: exact` on a table pamc does not manage.',
  on: ['new-rule', 'exact-grants'],
  check(fact) {
    if (fact.kind === 'exact-grants') {
      if (fact.table.rls.kind !== 'unmanaged') return null;
      return {
        message: `\`${tableName(fact.table)}\` is not managed by pamc, so \`grants: exact\` cannot say what its rules allow`,
        hint: 'revoke and grant by hand on a table pamc does not create, or create the table in a feature',
      };
    }
    const { table, rule } = fact;
    if (table.rls.kind !== 'rules') {
      const what = table.rls.kind === 'disabled' ? 'waives row level security' : 'is not managed by pamc';
      return {
        message: `\`${tableName(table)}\` ${what}, so it takes no ${ruleName(rule)}: a policy on it would not be enforced the way the spec says`,
        hint:
          table.rls.kind === 'disabled'
            ? 'leave the table to the service role, or keep what needs rules in a table of its own'
            : 'create the table in a feature, with its rules',
      };
    }
    const same = table.rls.rules.find((r) =>
      rule.kind === 'policy' ? r.key === `policy:${rule.name.value}` : rule.kind !== 'members' && r.rule.kind === rule.kind,
    );
    if (!same) return null;
    return {
      message: `\`${tableName(table)}\` already has a ${ruleName(same.rule)}; a table has one ${rule.kind === 'policy' ? 'policy of a name' : `\`${rule.kind}\` rule`}`,
      hint:
        rule.kind === 'policy'
          ? 'give the policy another `name:`'
          : 'the existing rule stays as it is; reach more rows or operations with a rule of another kind, or a `policies:` entry',
    };
  },
});
