import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'version-order',
  severity: 'error',
  stage: 'output',
  summary: 'Migration versions do not increase in feature order (often a merge of a parallel branch).',
  on: ['version-step'],
  check({ entry, previous }) {
    if (entry.version > previous.version) return null;
    return {
      message: `migration ${entry.file} has version ${entry.version}, not later than ${previous.file}: Supabase would apply it first, out of feature order`,
      hint: `if ${entry.feature} has not been applied anywhere yet, delete its lock entry and files and run \`pamc build\` to give it a new version`,
    };
  },
});
