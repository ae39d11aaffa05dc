import type { Rule } from './rule.js';

export const rule = {
  id: 'unknown-table',
  severity: 'error',
  stage: 'fold',
  summary: 'A feature extends a table that does not exist at that point.',
} as const satisfies Rule;
