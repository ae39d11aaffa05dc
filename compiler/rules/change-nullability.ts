import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'change-nullability',
  severity: 'error',
  stage: 'history',
  summary: 'A shipped column becomes NOT NULL, or stops being NOT NULL.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const { before, after } = change;
    if (before.column.notNull === after.column.notNull) return null;
    const now = after.column.notNull;
    return {
      message: now
        ? `column ${columnName(change.table, after.column.name)} was shipped nullable and is now \`not_null\`: the migration fails on any existing NULL and locks the table while it checks`
        : `column ${columnName(change.table, after.column.name)} was shipped \`not_null\` and is now nullable: code that relies on a value would start to see NULL`,
      hint: now
        ? 'keep the column nullable; enforce the value in the app, or add a new NOT NULL column with a default in a new feature'
        : 'keep `not_null: true` on the shipped column',
      span: after.column.span,
    };
  },
});
