import { defineRule } from './rule.js';
import { tableName } from './describe.js';

export const rule = defineRule({
  id: 'disable-rls',
  severity: 'error',
  stage: 'history',
  summary: 'Row level security of a shipped table is waived or removed.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_rls') return null;
    if (change.before.kind !== 'owner' || change.after.kind === 'owner') return null;
    return {
      message: `\`${tableName(change.table)}\` was shipped with row level security and the spec now waives it: without RLS anyone with the anon key can read and write every row`,
      hint: `keep the owner rule of \`${change.table.name}\``,
      span: change.after.kind === 'disabled' ? change.after.waiver.span : change.table.span,
    };
  },
});
