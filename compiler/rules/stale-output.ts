import type { Rule } from './rule.js';

export const rule = {
  id: 'stale-output',
  severity: 'error',
  stage: 'output',
  summary: 'The output directory is not what `pamc build` would write: a feature is not built yet.',
} as const satisfies Rule;
