import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'version-order',
  severity: 'error',
  stage: 'output',
  summary: 'Migration versions do not increase in feature order (often a branch merged without rebuilding on top of what shipped).',
  on: ['version-step'],
  check({ entry, previous }) {
    if (entry.version > previous.version) return null;
    return {
      message: `migration ${entry.file} has version ${entry.version}, not later than ${previous.file}: Supabase would apply it first, out of feature order`,
      hint: `if ${entry.feature} is not shipped yet, run \`pamc build --base <the branch it merges into>\` (or set \`pamc.base\`): it moves work in progress after everything shipped`,
    };
  },
});
