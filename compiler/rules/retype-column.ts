import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'retype-column',
  severity: 'error',
  stage: 'history',
  summary: 'The type of a shipped column changes.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const { before, after } = change;
    if (!change.typeChanged) return null;
    return {
      message: `column ${columnName(change.table, after.column.name)} was shipped as \`${before.column.type.value}\` and is now \`${after.column.type.value}\`: a retype rewrites the table under an exclusive lock and can fail on existing rows`,
      hint: `keep \`${before.column.type.value}\`; add a new column of type \`${after.column.type.value}\` in a new feature (\`extend:\`) and move the data in the app`,
      span: after.column.type.span,
    };
  },
});
