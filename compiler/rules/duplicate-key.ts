import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'duplicate-key',
  severity: 'error',
  stage: 'load',
  summary: 'A mapping repeats a key; YAML would silently keep only one value.',
  on: ['duplicate-key'],
  check: () => ({ message: 'this key appears twice in the same mapping; YAML keeps only one of them', hint: 'remove or rename one of the two keys' }),
});
