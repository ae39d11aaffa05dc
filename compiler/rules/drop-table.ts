import type { Rule } from './rule.js';
import { tableName } from './describe.js';

export const rule = {
  id: 'drop-table',
  severity: 'error',
  stage: 'history',
  summary: 'A table that was already shipped disappears from the spec.',
  check(change, mode) {
    if (mode !== 'history' || change.kind !== 'drop_table') return null;
    return {
      message: `table \`${tableName(change.table)}\` was shipped and is no longer in the spec: dropping it would delete every row`,
      hint: `keep \`${change.table.name}\` in its feature; to retire it, stop using it in the app and leave the table in place`,
    };
  },
} as const satisfies Rule;
