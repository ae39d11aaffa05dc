import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'reorder-features',
  severity: 'error',
  stage: 'history',
  summary: 'Emitted features change order, or a new feature is placed before an emitted one.',
  on: ['moved-feature', 'new-before-shipped'],
  check(fact) {
    if (fact.kind === 'new-before-shipped') {
      const { feature, later } = fact;
      return {
        message: `new feature \`${feature.name}\` comes before \`${later.name}\`, which was already emitted: its migration would run after it, in another order than the spec says`,
        hint: `move \`${feature.name}\` to a phase after ${later.phase}, or after \`${later.name}\` in its file`,
      };
    }
    const { feature, entry, before } = fact;
    return {
      message: `emitted feature \`${feature.name}\` moved: it was shipped ${before ? `after \`${before.feature}\`` : 'first'} (${entry.file}), and migrations apply in the shipped order, not the spec's`,
      hint: 'restore the order of emitted features: phase numbers and the order in each file',
    };
  },
});
