import { defineRule } from './rule.js';
import { inSet } from '../model/snapshot.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'change-check',
  severity: 'error',
  stage: 'history',
  summary: 'A check (or `in` list) of a shipped column changes or is added.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const { before, after } = change;
    const inBefore = before.column.in ? JSON.stringify(inSet(before.column.in.value)) : null;
    const inAfter = after.column.in ? JSON.stringify(inSet(after.column.in.value)) : null;
    const checkBefore = before.column.check?.value ?? null;
    const checkAfter = after.column.check?.value ?? null;
    const inChanged = inAfter !== null && inBefore !== inAfter;
    const checkChanged = checkAfter !== null && checkBefore !== checkAfter;
    if (!inChanged && !checkChanged) return null;
    return {
      message: `the ${inChanged ? '`in` list' : 'check'} of column ${columnName(change.table, after.column.name)} differs from what was shipped: the shipped migration enforces the old one, and a new check can fail on existing rows`,
      hint: 'keep the shipped check; to allow new values, add a new column with the new check in a new feature',
      span: (inChanged ? after.column.in?.span : after.column.check?.span) ?? after.column.span,
    };
  },
});
