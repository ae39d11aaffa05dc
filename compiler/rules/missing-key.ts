import type { Rule } from './rule.js';

export const rule = {
  id: 'missing-key',
  severity: 'error',
  stage: 'validate',
  summary: 'A required key is missing, such as `phase`, `title` or a column `type`.',
} as const satisfies Rule;
