import { checksOnly, printable, ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'widened-access',
  severity: 'warning',
  stage: 'fold',
  summary: 'A new rule widens who reaches a table that may already hold rows, with the reason given: shown for review.',
  on: ['addition'],
  check({ change }) {
    if (change.kind !== 'add_rule' || !change.rule.reason || checksOnly(change.rule)) return null;
    return {
      message: `a ${ruleName(change.rule.rule)} widens who reaches \`${tableName(change.table)}\`: ${printable(change.rule.reason.value)}`,
      hint: 'review that rows written under the old rules may be reached under the new one',
    };
  },
});
