import type { Rule } from './rule.js';

export const rule = {
  id: 'version-order',
  severity: 'error',
  stage: 'output',
  summary: 'Migration versions do not increase in feature order (often a merge of a parallel branch).',
} as const satisfies Rule;
