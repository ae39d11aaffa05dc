import { defineRule } from './rule.js';
import { tableName } from './describe.js';

export const rule = defineRule({
  id: 'rename-table',
  severity: 'error',
  stage: 'history',
  summary: 'A shipped table is renamed (seen as a drop plus an add of the same shape).',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'rename_table') return null;
    return {
      message: `table \`${tableName(change.from)}\` was shipped and now appears as \`${tableName(change.to)}\`: a rename breaks every query and policy that names the old table`,
      hint: `keep \`${change.from.name}\` as it is; if a new name is needed, create \`${change.to.name}\` in a new feature and copy the data over in the app`,
      span: change.to.span,
    };
  },
});
