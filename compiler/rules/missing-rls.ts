import type { Rule } from './rule.js';

export const rule = {
  id: 'missing-rls',
  severity: 'error',
  stage: 'model',
  summary: 'A table without row level security and without an explicit, reasoned waiver.',
} as const satisfies Rule;
