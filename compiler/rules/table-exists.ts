import type { Rule } from './rule.js';

export const rule = {
  id: 'table-exists',
  severity: 'error',
  stage: 'fold',
  summary: 'A feature creates a table that already exists at that point.',
} as const satisfies Rule;
