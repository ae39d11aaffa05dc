import type { Rule } from './rule.js';

export const rule = {
  id: 'duplicate-key',
  severity: 'error',
  stage: 'load',
  summary: 'A mapping repeats a key; YAML would silently keep only one value.',
} as const satisfies Rule;
