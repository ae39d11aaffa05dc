import type { Rule } from './rule.js';

export const rule = {
  id: 'reserved-identifier',
  severity: 'warning',
  stage: 'model',
  summary: 'A name that is a PostgreSQL keyword and must be double-quoted in every hand-written query.',
} as const satisfies Rule;
