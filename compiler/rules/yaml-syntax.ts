import type { Rule } from './rule.js';

export const rule = {
  id: 'yaml-syntax',
  severity: 'error',
  stage: 'load',
  summary: 'A phase file is not well-formed YAML.',
} as const satisfies Rule;
