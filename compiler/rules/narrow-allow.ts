import { defineRule } from './rule.js';
import { tableName } from './describe.js';

export const rule = defineRule({
  id: 'narrow-allow',
  severity: 'error',
  stage: 'history',
  summary: 'An operation is removed from a shipped owner rule, so its policy would disappear.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_policy') return null;
    const t = change.table;
    const span = t.rls.kind === 'owner' ? t.rls.rule.allow.span : t.span;
    return {
      message: `\`${change.operation}\` was shipped as allowed on \`${tableName(t)}\` and is no longer in \`allow\`: the shipped policy stays in the database, so the spec would no longer say what the database does`,
      hint: `keep \`${change.operation}\` in \`allow\`; revoking a permission is a deliberate, hand-reviewed migration, not a spec edit`,
      span,
    };
  },
});
