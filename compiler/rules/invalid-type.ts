import type { Rule } from './rule.js';

export const rule = {
  id: 'invalid-type',
  severity: 'error',
  stage: 'model',
  summary: 'A column type that PostgreSQL cannot parse, or that carries more than a type.',
} as const satisfies Rule;
