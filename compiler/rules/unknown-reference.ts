import type { Rule } from './rule.js';

export const rule = {
  id: 'unknown-reference',
  severity: 'error',
  stage: 'fold',
  summary: 'A foreign key or index names a table or column that does not exist at that point.',
} as const satisfies Rule;
