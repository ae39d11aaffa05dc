import { defineRule } from './rule.js';
import type { Reference } from '../model/types.js';
import { columnName } from './describe.js';

function show(r: Reference | null): string {
  return r ? `${r.schema}.${r.table}(${r.column})${r.onDelete ? ` on delete ${r.onDelete}` : ''}` : 'no reference';
}

export const rule = defineRule({
  id: 'change-reference',
  severity: 'error',
  stage: 'history',
  summary: 'The foreign key of a shipped column changes its target or its ON DELETE action, or appears or disappears.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const a = show(change.before.column.references);
    const b = show(change.after.column.references);
    if (a === b) return null;
    return {
      message: `column ${columnName(change.table, change.after.column.name)} was shipped with ${a} and now has ${b}: changing a foreign key revalidates every row, and a changed ON DELETE changes what deleting the referenced row does`,
      hint: 'keep the shipped reference; to point elsewhere, add a new column with the new reference in a new feature',
      span: change.after.column.references?.span ?? change.after.column.span,
    };
  },
});
