import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'drop-unique',
  severity: 'error',
  stage: 'history',
  summary: 'A shipped column loses its unique constraint.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    if (!change.before.column.unique || change.after.column.unique) return null;
    return {
      message: `column ${columnName(change.table, change.after.column.name)} was shipped \`unique\` and no longer is: code and foreign keys may rely on one row per value`,
      hint: 'keep `unique: true` on the shipped column',
      span: change.after.column.span,
    };
  },
});
