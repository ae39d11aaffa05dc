import type { Rule } from './rule.js';

export const rule = {
  id: 'unreadable-file',
  severity: 'error',
  stage: 'load',
  summary: 'A file under the schema directory that pamc refuses to read: too large, or a symbolic link leading out of the project.',
} as const satisfies Rule;
