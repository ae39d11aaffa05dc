import { ruleName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'narrow-allow',
  severity: 'error',
  stage: 'history',
  summary: 'An operation is removed from a shipped access rule, so its policy would disappear.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_operation' || change.rule.rule.kind === 'policy') return null;
    const owner = change.rule.rule.kind === 'owner';
    return {
      message: `\`${change.operation}\` was shipped as allowed on \`${tableName(change.table)}\`${owner ? '' : ` by its ${ruleName(change.rule.rule)}`} and is no longer in \`allow\`: the shipped policy stays in the database, so the spec would no longer say what the database does`,
      hint: `keep \`${change.operation}\` in \`allow\`; revoking a permission is a deliberate, hand-reviewed migration, not a spec edit`,
      span: change.rule.rule.allow.span,
    };
  },
});
