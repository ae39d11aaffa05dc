import type { Rule } from './rule.js';

export const rule = {
  id: 'unknown-key',
  severity: 'error',
  stage: 'validate',
  summary: 'A key that the pamc language does not know (often a typo).',
} as const satisfies Rule;
