import { checkType } from '../sql/fragments.js';
import { fragmentSpan, printable } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'invalid-type',
  severity: 'error',
  stage: 'model',
  summary: 'A column type that PostgreSQL cannot parse, or that carries more than a type.',
  on: ['type', 'owner'],
  check(fact) {
    if (fact.kind === 'type') {
      const result = checkType(fact.parser, fact.type.value);
      if (!('message' in result)) return null;
      return { message: `the type \`${printable(fact.type.value)}\`: ${result.message}`, hint: result.hint, span: fragmentSpan(fact.type, result.offset) };
    }
    // The owner column is compared with auth.uid(), which returns uuid.
    const column = fact.column;
    if (!column) return null;
    const type = checkType(fact.parser, column.type.value);
    if (!('canonical' in type) || type.canonical === 'uuid') return null;
    return {
      message: `owner column \`${column.name}\` is \`${column.type.value}\`, but auth.uid() returns uuid`,
      hint: 'make the owner column `type: uuid`',
      span: column.type.span,
    };
  },
});
