import type { Rule } from './rule.js';

export const rule = {
  id: 'drop-phase',
  severity: 'error',
  stage: 'history',
  summary: 'A phase whose features were already emitted disappears from the spec.',
} as const satisfies Rule;
