import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'change-owner',
  severity: 'error',
  stage: 'history',
  summary: 'The owner column of a shipped owner rule changes.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_rule') return null;
    const { before, after } = change;
    if (before.rule.kind !== 'owner' || after.rule.kind !== 'owner') return null;
    const [was, now] = [before.rule.column.value, after.rule.column.value];
    return {
      message: `the owner of \`${tableName(change.table)}\` was shipped as \`${was}\` and is now \`${now}\`: the shipped policies keep comparing auth.uid() with \`${was}\``,
      hint: `keep \`owner: ${was}\``,
      span: after.rule.column.span,
    };
  },
});
