import type { Rule } from './rule.js';

export const rule = {
  id: 'reorder-features',
  severity: 'error',
  stage: 'history',
  summary: 'Emitted features change order, or a new feature is placed before an emitted one.',
} as const satisfies Rule;
