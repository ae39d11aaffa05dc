import type { Rule } from './rule.js';

export const rule = {
  id: 'column-exists',
  severity: 'error',
  stage: 'fold',
  summary: 'An extension adds a column the table already has.',
} as const satisfies Rule;
