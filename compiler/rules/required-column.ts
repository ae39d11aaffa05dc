import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'required-column',
  severity: 'error',
  stage: 'fold',
  summary: 'A NOT NULL column without a default is added to a table that may already hold rows.',
  on: ['addition'],
  check({ change }) {
    if (change.kind !== 'add_column' || !change.tableExisted) return null;
    const c = change.column.column;
    if (!(c.notNull || c.primaryKey) || c.default) return null;
    return {
      message: `column ${columnName(change.table, c.name)} is NOT NULL without a default: adding it fails on a table that already has rows`,
      hint: `give \`${c.name}\` a \`default:\`, or leave it nullable and fill it in the app`,
      span: c.span,
    };
  },
});
