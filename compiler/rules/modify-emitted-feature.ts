import type { Rule } from './rule.js';

export const rule = {
  id: 'modify-emitted-feature',
  severity: 'error',
  stage: 'history',
  summary: 'Any other edit of a feature that was already emitted.',
} as const satisfies Rule;
