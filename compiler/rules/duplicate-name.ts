import type { Rule } from './rule.js';

export const rule = {
  id: 'duplicate-name',
  severity: 'error',
  stage: 'model',
  summary: 'Two phases, features, tables, columns, indexes or derived names that collide.',
} as const satisfies Rule;
