import { columnName, tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unique-on-existing-column',
  severity: 'error',
  stage: 'fold',
  summary: 'A unique constraint or index is put on a column that already holds data.',
  on: ['addition', 'change'],
  check(fact) {
    const { change } = fact;
    if (fact.kind === 'addition') {
      if (change.kind !== 'add_index' || !change.index.index.unique || change.newColumns.length > 0) return null;
      return {
        message: `unique index \`${change.index.index.name}\` on \`${tableName(change.table)}\` (${change.index.index.columns.join(', ')}) covers only columns that already hold data: it fails on any duplicate and blocks writes while it builds`,
        hint: 'deduplicate and create the index by hand, outside pamc, with CREATE UNIQUE INDEX CONCURRENTLY; or make a new column unique in a new feature',
        span: change.index.index.span,
      };
    }
    if (change.kind !== 'alter_column' || change.before.column.unique || !change.after.column.unique) return null;
    return {
      message: `column ${columnName(change.table, change.after.column.name)} becomes \`unique\` after shipping: the constraint fails on any duplicate already stored`,
      hint: 'leave the shipped column as it was; put `unique: true` on a new column in a new feature',
      span: change.after.column.span,
    };
  },
});
