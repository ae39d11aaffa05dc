import { describeChange } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'modify-emitted-feature',
  severity: 'error',
  stage: 'history',
  summary: 'Any other edit of a feature that was already emitted.',
  on: ['unexplained-change', 'edited-feature'],
  check(fact) {
    if (fact.kind === 'unexplained-change') {
      return {
        message: `${describeChange(fact.change)}, but its feature was already emitted and its migration is frozen`,
        hint: 'leave the emitted feature as it was and say the addition in a new feature, with `extend:` for tables that exist',
      };
    }
    return {
      message: `feature \`${fact.feature.name}\` was emitted as ${fact.entry.file}, but ${fact.where}`,
      hint: 'restore the feature as it was emitted; say changes in a new feature',
    };
  },
});
