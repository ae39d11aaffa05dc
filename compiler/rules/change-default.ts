import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'change-default',
  severity: 'error',
  stage: 'history',
  summary: 'The default of a shipped column changes or disappears.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const before = change.before.column.default?.value ?? null;
    const after = change.after.column.default?.value ?? null;
    if (before === after) return null;
    const col = columnName(change.table, change.after.column.name);
    return {
      message:
        after === null
          ? `column ${col} was shipped with default \`${before}\`, which is gone: inserts that omit the column would get NULL`
          : before === null
            ? `column ${col} was shipped without a default and now has \`${after}\`: the shipped migration does not set it, so databases and spec would disagree`
            : `column ${col} was shipped with default \`${before}\` and now has \`${after}\`: the shipped migration keeps the old default, so databases and spec would disagree`,
      hint: 'keep the shipped default; if new rows need another value, add a new column with that default in a new feature',
      span: change.after.column.default?.span ?? change.after.column.span,
    };
  },
});
