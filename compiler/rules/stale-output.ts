import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'stale-output',
  severity: 'error',
  stage: 'output',
  summary: 'The output directory is not what `pamc build` would write: a feature is not built yet.',
  on: ['unbuilt-feature', 'unlisted-file'],
  check(fact) {
    if (fact.kind === 'unbuilt-feature')
      return { message: `feature \`${fact.feature}\` has no migration in ${fact.outDir}/ yet`, hint: 'run `pamc build` and commit what it writes' };
    if (fact.interrupted) {
      return {
        message: `${fact.shown} was left by a build that was interrupted before it wrote the lock`,
        hint: 'run `pamc build`: it removes what an interrupted build left, then builds',
      };
    }
    if (!fact.staging) return null;
    const dir = fact.shown.slice(0, fact.shown.lastIndexOf('/'));
    return { message: `${fact.shown} is in pamc's staging directory but not in the lock`, hint: `remove it: ${dir}/ holds only what pamc emits` };
  },
});
