import type { Rule } from './rule.js';

export const rule = {
  id: 'drop-feature',
  severity: 'error',
  stage: 'history',
  summary: 'A feature that was already emitted disappears from the spec.',
} as const satisfies Rule;
