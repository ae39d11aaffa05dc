import type { Rule } from './rule.js';

export const rule = {
  id: 'modified-migration',
  severity: 'error',
  stage: 'output',
  summary: 'An emitted migration file no longer has the bytes the lock records (a hand edit).',
} as const satisfies Rule;
