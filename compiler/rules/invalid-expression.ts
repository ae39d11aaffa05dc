import { checkExpression, columnRefs } from '../sql/fragments.js';
import { fragmentSpan, printable } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'invalid-expression',
  severity: 'error',
  stage: 'model',
  summary: 'A default, check or index predicate that is not exactly one PostgreSQL expression.',
  on: ['expression', 'unparsable'],
  check(fact) {
    if (fact.kind === 'unparsable') {
      return {
        message: `the migration generated for \`${fact.feature}\` does not parse: ${fact.message}`,
        hint: 'a type, default or check of this feature is not valid in its place; simplify it',
      };
    }
    const { value, what, parser } = fact;
    const problem = checkExpression(parser, value.value, what, { subqueries: what === 'policy expression' });
    if (problem)
      return { message: `the ${what} \`${printable(value.value)}\`: ${problem.message}`, hint: problem.hint, span: fragmentSpan(value, problem.offset) };
    // A bare word in a default is read as a column name: almost always a text literal written without its SQL quotes.
    const refs = what === 'default' ? columnRefs(parser, value.value) : [];
    if (refs.length === 0) return null;
    return {
      message: `the default \`${printable(value.value)}\` names \`${refs[0]}\` as if it were a column; a default cannot refer to columns`,
      hint: `a text literal is written in SQL quotes inside the YAML string: \`default: "'${refs[0]}'"\``,
    };
  },
});
