import { checksOnly, ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unexplained-widening',
  severity: 'error',
  stage: 'fold',
  summary: 'A new rule widens who reaches a table that may already hold rows, without a `reason:`.',
  on: ['addition'],
  check({ change }) {
    if (change.kind !== 'add_rule' || change.rule.reason || checksOnly(change.rule)) return null;
    return {
      message: `a ${ruleName(change.rule.rule)} on \`${tableName(change.table)}\` lets more people reach rows that were written for fewer: data stored under the old rules would be exposed`,
      hint: 'add `reason:` beside the rule under `extend: ... rls:`, saying why these rows may now be reached; CI shows it for review',
    };
  },
});
