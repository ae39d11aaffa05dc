import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'drop-feature',
  severity: 'error',
  stage: 'history',
  summary: 'A feature that was already emitted disappears from the spec.',
  on: ['gone-feature'],
  check: ({ entry, phase }) => ({
    message: `feature \`${entry.feature}\` (${entry.file}) was emitted and is no longer in phase ${entry.phase}: its migration stays applied in every database`,
    hint: `restore \`${entry.feature}\` in ${phase.file}; say new changes in a new feature`,
  }),
});
