import type { Rule } from './rule.js';

export const rule = {
  id: 'lock-integrity',
  severity: 'error',
  stage: 'output',
  summary: 'The lock file cannot be read, or its chained hash does not match its entries.',
} as const satisfies Rule;
