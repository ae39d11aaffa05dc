import { describeOrigin } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'column-exists',
  severity: 'error',
  stage: 'fold',
  summary: 'An extension adds a column the table already has.',
  on: ['add-column'],
  check({ table, column, clash }) {
    if (!clash) return null;
    return {
      message: `column \`${table.name}.${column.name}\` already exists: it comes from ${describeOrigin(clash.origin)}`,
      hint: 'a column is defined once, by the feature that adds it; give this column a new name',
    };
  },
});
