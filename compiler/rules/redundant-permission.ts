import { describeOrigin } from './describe.js';
import { defineRule } from './rule.js';
import { ownerState } from '../diff/state.js';

export const rule = defineRule({
  id: 'redundant-permission',
  severity: 'warning',
  stage: 'fold',
  summary: 'An extension allows an operation the owner rule already allows.',
  on: ['permission'],
  check({ table, operation }) {
    const by = ownerState(table.rls)?.operations.find((p) => p.operation === operation);
    if (!by) return null;
    return {
      message: `\`${operation}\` is already allowed on \`${table.name}\` (by ${describeOrigin(by.origin)})`,
      hint: `remove \`${operation}\` from this list`,
    };
  },
});
