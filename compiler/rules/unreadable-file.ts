import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unreadable-file',
  severity: 'error',
  stage: 'load',
  summary: 'A file under the schema directory that pamc refuses to read: too large, or a symbolic link leading out of the project.',
  on: ['unreadable-file'],
  check: ({ path, reason }) => ({ message: `${path} ${reason}`, hint: 'keep phase files as plain files inside the project, each under 1 MiB' }),
});
