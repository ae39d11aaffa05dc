import type { Rule } from './rule.js';

export const rule = {
  id: 'empty-feature',
  severity: 'error',
  stage: 'model',
  summary: 'A feature that creates and extends nothing would be an empty migration.',
} as const satisfies Rule;
