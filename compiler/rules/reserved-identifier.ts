import { IDENTIFIER, keywordClass } from '../sql/ident.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'reserved-identifier',
  severity: 'warning',
  stage: 'model',
  summary: 'A name that is a PostgreSQL keyword and must be double-quoted in every hand-written query.',
  on: ['name'],
  check(fact) {
    if (fact.role !== 'declared' || !IDENTIFIER.test(fact.name)) return null;
    const keyword = keywordClass(fact.name);
    if (!keyword) return null;
    return {
      message: `${fact.what} \`${fact.name}\` is ${keyword} in PostgreSQL; pamc quotes it, but every hand-written query must write "${fact.name}"`,
      hint: `before it ships, consider a name that is not a keyword, such as \`${fact.name}_at\` or \`${fact.name}_value\`; once shipped (rename-column refuses a rename), settle it with \`acknowledge: { reserved-identifier: <why> }\` where it is declared`,
    };
  },
});
