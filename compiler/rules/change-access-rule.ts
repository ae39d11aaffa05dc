import { ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'change-access-rule',
  severity: 'error',
  stage: 'history',
  summary: "A shipped access rule changes what it reaches: the `where` of a public or signed_in rule, a parent rule's column, a policy's text.",
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_rule' || change.after.rule.kind === 'owner') return null;
    return {
      message: `the ${ruleName(change.before.rule)} of \`${tableName(change.table)}\` was shipped and is now written otherwise: the shipped policy keeps reaching the rows it reached, whatever the spec says`,
      hint: 'keep the shipped rule as it was; to reach other rows, add a rule in a new feature (`extend: ... rls:`), with a `reason:`',
    };
  },
});
