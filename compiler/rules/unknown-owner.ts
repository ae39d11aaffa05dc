import { closest, tableName } from './describe.js';
import { defineRule } from './rule.js';
import { ownerState } from '../diff/state.js';

export const rule = defineRule({
  id: 'unknown-owner',
  severity: 'error',
  stage: 'model',
  summary: 'An owner rule names a column the table does not have, or permissions are added to a table without an owner rule.',
  on: ['owner', 'permission'],
  check(fact) {
    if (fact.kind === 'permission') {
      if (ownerState(fact.table.rls)) return null;
      return {
        message: `table \`${fact.table.name}\` has no owner rule to add permissions to`,
        hint: 'only tables created with `rls: { owner: ..., allow: [...] }` take more permissions',
      };
    }
    if (fact.column) return null;
    const guess = closest(
      fact.owner.value,
      fact.table.columns.map((c) => c.name),
    );
    return {
      message: `owner column \`${fact.owner.value}\` is not a column of \`${tableName(fact.table)}\``,
      hint: guess ? `did you mean \`${guess}\`?` : 'name the column that holds the owning user id',
    };
  },
});
