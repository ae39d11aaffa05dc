import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'drop-primary-key',
  severity: 'error',
  stage: 'history',
  summary: 'A shipped column stops being (part of) the primary key, or becomes part of it.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const { before, after } = change;
    if (before.column.primaryKey === after.column.primaryKey) return null;
    return {
      message: before.column.primaryKey
        ? `column ${columnName(change.table, after.column.name)} was shipped as the primary key and no longer is: foreign keys that point at it depend on that key`
        : `column ${columnName(change.table, after.column.name)} becomes part of the primary key after shipping: the shipped key cannot change without rebuilding the table`,
      hint: 'keep the shipped primary key; add a unique index on a new column in a new feature if another key is needed',
      span: after.column.span,
    };
  },
});
