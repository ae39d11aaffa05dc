import { ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'drop-access-rule',
  severity: 'error',
  stage: 'history',
  summary: 'An access rule of a shipped table (owner, public, signed_in, parent, members, a policy) disappears from the spec.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_rule') return null;
    return {
      message: `the ${ruleName(change.rule.rule)} of \`${tableName(change.table)}\` was shipped and is no longer in the spec: its policies stay in the database, so the spec would no longer say who reaches the table`,
      hint: 'keep the rule as shipped; narrowing access is a deliberate, hand-reviewed migration, not a spec edit',
    };
  },
});
