import { describeOrigin } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'table-exists',
  severity: 'error',
  stage: 'fold',
  summary: 'A feature creates a table that already exists at that point.',
  on: ['create-table', 'extend-table'],
  check(fact) {
    if (fact.kind === 'extend-table') {
      if (!fact.createdHere) return null;
      return { message: `table \`${fact.ext.name}\` is created by this same feature`, hint: 'declare the columns in `tables:` directly' };
    }
    if (!fact.clash) return null;
    return {
      message: `table \`${fact.table.name}\` already exists: it is created by ${describeOrigin(fact.clash.origin)}`,
      hint: `to add to it, use \`extend: { ${fact.table.name}: ... }\` in this feature`,
    };
  },
});
