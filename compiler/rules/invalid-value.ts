import type { Rule } from './rule.js';

export const rule = {
  id: 'invalid-value',
  severity: 'error',
  stage: 'validate',
  summary: 'A value of the wrong kind: a string where a list belongs, an unknown operation, a negative phase.',
} as const satisfies Rule;
