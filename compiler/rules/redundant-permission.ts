import { describeOrigin } from './describe.js';
import { defineRule } from './rule.js';
import { ownerState } from '../diff/state.js';

export const rule = defineRule({
  id: 'redundant-permission',
  severity: 'warning',
  stage: 'fold',
  summary: 'An extension allows an operation the owner rule already allows, or asks for exact grants a table already has.',
  on: ['permission', 'exact-grants'],
  check(fact) {
    const { table } = fact;
    if (fact.kind === 'exact-grants') {
      if (table.rls.kind === 'unmanaged' || !table.rls.exactGrants) return null;
      return { message: `\`${table.name}\` already has exact grants`, hint: 'remove `grants: exact`: its migration would revoke and grant what is already so' };
    }
    const { operation } = fact;
    const by = ownerState(table.rls)?.operations.find((p) => p.operation === operation);
    if (!by) return null;
    return {
      message: `\`${operation}\` is already allowed on \`${table.name}\` (by ${describeOrigin(by.origin)})`,
      hint: `remove \`${operation}\` from this list`,
    };
  },
});
