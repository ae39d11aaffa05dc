import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'hand-written-migration',
  severity: 'error',
  stage: 'output',
  summary: 'A .sql file in the output directory that pamc did not write and the base ref does not have: SQL that no rule has judged.',
  on: ['foreign-file'],
  check({ shown, atBase }) {
    if (atBase === 'absent') {
      return {
        message: `${shown} is new and pamc did not write it: it would be applied with pamc's migrations, and no rule has judged it`,
        hint: 'say the change in the spec and run `pamc build`; SQL that the spec cannot say goes through a `sql:` feature, where pamc parses and checks it',
      };
    }
    return null;
  },
});
