import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'rename-column',
  severity: 'error',
  stage: 'history',
  summary: 'A shipped column is renamed (seen as a drop plus an add of the same shape).',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'rename_column') return null;
    return {
      message: `column ${columnName(change.table, change.from.column.name)} was shipped and now appears as \`${change.to.column.name}\`: a rename breaks every query that names the old column`,
      hint: `keep \`${change.from.column.name}\`; to add \`${change.to.column.name}\`, write it in a new feature under \`extend: { ${change.table.name}: { columns: ... } }\``,
      span: change.to.column.span,
    };
  },
});
