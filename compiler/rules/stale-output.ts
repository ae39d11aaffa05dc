import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'stale-output',
  severity: 'error',
  stage: 'output',
  summary: 'The output directory is not what `pamc build` would leave: a feature is not built yet, or a migration pamc wrote is listed by no lock.',
  on: ['unbuilt-feature', 'unlisted-file', 'orphan-file', 'base-ahead'],
  check(fact) {
    if (fact.kind === 'base-ahead') {
      return {
        message: `\`${fact.ref}\` shipped feature \`${fact.entry.feature}\` (${fact.entry.file}) after this branch left it: the branch does not have it yet`,
        hint: `merge or rebase on \`${fact.ref}\` (\`git merge ${fact.ref}\`), then run \`pamc build\`: work in progress moves after what shipped`,
      };
    }
    if (fact.kind === 'orphan-file') {
      return {
        message: `${fact.shown} was written by pamc but no lock lists it (a branch's migration after a merge, or a lock entry lost in a conflict): applied in order, its \`IF NOT EXISTS\` would hide what the listed migrations create`,
        hint: fact.base
          ? 'run `pamc build`: the base does not ship it, so build removes it and rebuilds the features that are not shipped'
          : 'run `pamc build --base <the branch it merges into>` (or set `pamc.base`) so pamc knows what was shipped and repairs the lock; delete the file only if it was never merged',
      };
    }
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
