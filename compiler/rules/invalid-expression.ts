import type { Rule } from './rule.js';

export const rule = {
  id: 'invalid-expression',
  severity: 'error',
  stage: 'model',
  summary: 'A default, check or index predicate that is not exactly one PostgreSQL expression.',
} as const satisfies Rule;
