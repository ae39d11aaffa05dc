import { describeOrigin } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'redundant-permission',
  severity: 'warning',
  stage: 'fold',
  summary: 'An extension allows an operation the owner rule already allows.',
  on: ['permission'],
  check({ table, operation }) {
    const by = table.rls.kind === 'owner' ? table.rls.permissions.find((p) => p.operation === operation) : undefined;
    if (!by) return null;
    return {
      message: `\`${operation}\` is already allowed on \`${table.name}\` (by ${describeOrigin(by.origin)})`,
      hint: `remove \`${operation}\` from this list`,
    };
  },
});
