import { defineRule } from './rule.js';
import { tableName } from './describe.js';

export const rule = defineRule({
  id: 'change-owner',
  severity: 'error',
  stage: 'history',
  summary: 'The owner column of a shipped owner rule changes.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_rls') return null;
    const { before, after } = change;
    if (before.kind !== 'owner' || after.kind !== 'owner' || before.rule.owner.value === after.rule.owner.value) return null;
    return {
      message: `the owner of \`${tableName(change.table)}\` was shipped as \`${before.rule.owner.value}\` and is now \`${after.rule.owner.value}\`: the shipped policies keep comparing auth.uid() with \`${before.rule.owner.value}\``,
      hint: `keep \`owner: ${before.rule.owner.value}\``,
      span: after.rule.owner.span,
    };
  },
});
