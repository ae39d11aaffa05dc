import type { Rule } from './rule.js';

export const rule = {
  id: 'identifier-too-long',
  severity: 'error',
  stage: 'model',
  summary: 'A name, written or derived (policy, index, constraint), longer than PostgreSQL keeps (63 bytes).',
} as const satisfies Rule;
