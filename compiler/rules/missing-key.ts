import { errorPlace } from '../validate/errors.js';
import { defineRule } from './rule.js';

function missingHint(key: string): string {
  switch (key) {
    case 'phase':
      return 'add `phase: <number>`: it orders the phase among the others';
    case 'title':
      return 'add `title: <what the phase builds>`';
    case 'features':
      return 'add `features:` with at least one feature';
    case 'type':
      return 'add a type, such as `type: text`';
    case 'reason':
      return 'a waiver must say why the table may go without RLS';
    default:
      return `add \`${key}\``;
  }
}

export const rule = defineRule({
  id: 'missing-key',
  severity: 'error',
  stage: 'validate',
  summary: 'A required key is missing, such as `phase`, `title` or a column `type`.',
  on: ['schema-error'],
  check(fact) {
    if (fact.error.keyword !== 'required') return null;
    const at = errorPlace(fact.root, fact.error);
    const missing = String((fact.error.params as { missingProperty: string }).missingProperty);
    return {
      message: `${at.what === 'the file' ? 'the phase file' : at.what} needs the key \`${missing}\``,
      hint: missingHint(missing),
      span: at.keySpan ?? at.node.span,
    };
  },
});
