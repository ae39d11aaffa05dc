import type { Rule } from './rule.js';

export const rule = {
  id: 'invalid-identifier',
  severity: 'error',
  stage: 'model',
  summary: 'A name that is not lower-case `[a-z_][a-z0-9_]*`.',
} as const satisfies Rule;
