import type { Rule } from './rule.js';

export const rule = {
  id: 'redundant-permission',
  severity: 'warning',
  stage: 'fold',
  summary: 'An extension allows an operation the owner rule already allows.',
} as const satisfies Rule;
