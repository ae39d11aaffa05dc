import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'disable-rls',
  severity: 'error',
  stage: 'history',
  summary: 'Row level security of a shipped table is waived or removed.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_rls' || change.before.kind !== 'rules' || change.after.kind === 'rules') return null;
    return {
      message: `\`${tableName(change.table)}\` was shipped with row level security and the spec now waives it: without RLS anyone with the anon key can read and write every row`,
      hint: `keep the ${change.before.rules.some((r) => r.rule.kind === 'owner') && change.before.rules.length === 1 ? 'owner rule' : 'rules'} of \`${change.table.name}\``,
      span: change.after.kind === 'disabled' ? change.after.waiver.span : change.table.span,
    };
  },
});
