import type { Rule } from './rule.js';

export const rule = {
  id: 'nullable-owner',
  severity: 'warning',
  stage: 'model',
  summary: 'The owner column may be NULL: such rows belong to nobody and no policy can reach them.',
} as const satisfies Rule;
