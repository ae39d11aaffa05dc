import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'drop-column',
  severity: 'error',
  stage: 'history',
  summary: 'A column that was already shipped disappears from the spec.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_column') return null;
    const maybe = change.maybeRenamedTo?.length
      ? ` (it may have been renamed to ${change.maybeRenamedTo.map((n) => `\`${n}\``).join(' or ')}: columns of the same shape were dropped and added, and which became which cannot be told)`
      : '';
    return {
      message: `column ${columnName(change.table, change.column.column.name)} was shipped and is no longer in the spec${maybe}: dropping it would lose its data and break code that reads it`,
      hint: `keep \`${change.column.column.name}\` in its feature; a column the app no longer needs can stay, unused`,
    };
  },
});
