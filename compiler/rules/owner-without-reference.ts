import type { Rule } from './rule.js';

export const rule = {
  id: 'owner-without-reference',
  severity: 'warning',
  stage: 'model',
  summary: 'The owner column does not reference a users table, so any uuid can own a row.',
} as const satisfies Rule;
