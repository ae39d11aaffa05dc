import type { Rule } from './rule.js';

export const rule = {
  id: 'missing-migration',
  severity: 'error',
  stage: 'output',
  summary: 'A migration file that the lock lists is missing.',
} as const satisfies Rule;
