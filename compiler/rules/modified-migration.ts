import { sha256 } from '../lock/hash.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'modified-migration',
  severity: 'error',
  stage: 'output',
  summary: 'An emitted migration file is not what pamc wrote: its bytes differ from the lock, or from what `build` writes from the spec.',
  on: ['owned-file', 'rederived'],
  check(fact) {
    if (fact.text === undefined) return null;
    if (fact.kind === 'rederived') {
      if (fact.text === fact.expected) return null;
      return {
        message: `${fact.shown} is not what \`pamc build\` writes for feature \`${fact.entry.feature}\`: a migration new in this change must be exactly what the spec emits`,
        hint: 'run `pamc build` and commit what it writes; SQL changes only through the spec (hand-written SQL goes in a file of its own)',
      };
    }
    if (sha256(fact.text) === fact.entry.sha256) return null;
    return {
      message: `${fact.shown} was edited after it was emitted: its SHA-256 no longer matches the lock`,
      hint: 'restore the file from version control; say the change in the spec as a new feature, and `pamc build` writes a new migration',
    };
  },
});
