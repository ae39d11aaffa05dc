import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'missing-migration',
  severity: 'error',
  stage: 'output',
  summary: 'A migration file that the lock lists is missing.',
  on: ['owned-file', 'rederived'],
  check({ shown, text }) {
    if (text !== undefined) return null;
    return {
      message: `${shown} is listed in the lock but missing`,
      hint: 'restore it from version control (git checkout -- <path>); an emitted migration is never rewritten',
    };
  },
});
