import type { Rule } from './rule.js';

export const rule = {
  id: 'unknown-owner',
  severity: 'error',
  stage: 'model',
  summary: 'An owner rule names a column the table does not have, or permissions are added to a table without an owner rule.',
} as const satisfies Rule;
