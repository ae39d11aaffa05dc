import { defineRule } from './rule.js';
import { tableName } from './describe.js';

export const rule = defineRule({
  id: 'drop-table',
  severity: 'error',
  stage: 'history',
  summary: 'A table that was already shipped disappears from the spec.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_table') return null;
    return {
      message: `table \`${tableName(change.table)}\` was shipped and is no longer in the spec: dropping it would delete every row`,
      hint: `keep \`${change.table.name}\` in its feature; to retire it, stop using it in the app and leave the table in place`,
    };
  },
});
