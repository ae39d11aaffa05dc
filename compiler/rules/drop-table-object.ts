import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'drop-table-object',
  severity: 'error',
  stage: 'history',
  summary: "A shipped table's named check or unique constraint, realtime publication or touched column disappears from the spec, or changes.",
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'drop_table_object') return null;
    return {
      message: `the ${change.what} of \`${tableName(change.table)}\` was shipped and is ${change.changed ? 'now written otherwise' : 'no longer in the spec'}: the database keeps what the shipped migration made`,
      hint: change.what.includes('constraint')
        ? 'keep it as shipped; a new constraint, with a new name, goes in a new feature'
        : 'keep it as shipped; undoing it is a deliberate, hand-reviewed migration, outside pamc',
    };
  },
});
