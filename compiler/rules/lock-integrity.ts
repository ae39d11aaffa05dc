import { LOCK_FILE } from '../lock/names.js';
import { canonicalJson } from '../model/snapshot.js';
import { defineRule, type Finding } from './rule.js';
import type { FactOf } from './facts.js';
import { firstDifference } from '../model/snapshot.js';

/** A lock entry new relative to the base that is not what `build` records for the spec. */
function rederivedEntry({ entry, expected }: FactOf<'rederived-entry'>): Finding | null {
  if (!expected) {
    return {
      message: `the lock lists ${entry.file}, which the base ref did not ship, for feature \`${entry.feature}\`, which the spec does not have (or has only in a draft phase)`,
      hint: 'run `pamc build`: the lock records only what the spec emits',
    };
  }
  if (canonicalJson(expected) === canonicalJson(entry)) return null;
  return {
    message: `the lock entry of ${entry.file} is not what \`pamc build\` records for the spec (it differs at \`${firstDifference(entry, expected)}\`)`,
    hint: 'run `pamc build` and commit what it writes; pamc writes the lock, nobody edits it by hand',
  };
}

export const rule = defineRule({
  id: 'lock-integrity',
  severity: 'error',
  stage: 'output',
  summary: 'The lock file cannot be read, holds merge conflict markers, or (with a base) changes what the base branch shipped.',
  on: ['lock-unreadable', 'base-entry', 'rederived-entry'],
  check(fact) {
    if (fact.kind === 'rederived-entry') return rederivedEntry(fact);
    if (fact.kind === 'lock-unreadable') {
      return {
        message: fact.message,
        hint:
          fact.problem === 'conflict'
            ? `each line of ${LOCK_FILE} is one migration: keep the lines of both sides and delete the marker lines (or \`git checkout --theirs\` the lock), then run \`pamc build\`, which gives this branch's unshipped features versions after everything shipped`
            : fact.problem === 'duplicate'
              ? 'run `pamc build --base <the branch it merges into>` (or set `pamc.base`): it keeps work in progress once, rebuilt after everything shipped'
              : `restore ${LOCK_FILE} from version control (git checkout -- <path>); pamc writes it, nobody edits it by hand`,
      };
    }
    const { base, current } = fact;
    if (!current) {
      return {
        message: `the lock no longer lists ${base.file}, which the base ref shipped`,
        hint: 'run `pamc build`: it restores what the base shipped (shipped migrations stay in the lock forever)',
      };
    }
    if (canonicalJson(current) === canonicalJson(base)) return null;
    return {
      message: `the lock entry of ${base.file} differs from the base ref at \`${firstDifference(base, current)}\`: shipped lock entries must not change`,
      hint: 'run `pamc build`: it restores the entries the base shipped and rebuilds only the features that are new',
    };
  },
});
