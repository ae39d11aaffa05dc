import { byteLength, MAX_IDENTIFIER_BYTES } from '../sql/ident.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'identifier-too-long',
  severity: 'error',
  stage: 'model',
  summary: 'A name, written or derived (policy, index, constraint), longer than PostgreSQL keeps (63 bytes).',
  on: ['name', 'derived-name'],
  check(fact) {
    const bytes = byteLength(fact.name);
    if (bytes <= MAX_IDENTIFIER_BYTES) return null;
    if (fact.kind === 'derived-name') {
      return {
        message: `the ${fact.what} \`${fact.name}\` would be ${bytes} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES}, so two names could collide`,
        hint: fact.hint,
      };
    }
    // A name that is not valid is reported as such (invalid-identifier), not also as too long.
    if (fact.role === 'declared' && !/^[a-z_][a-z0-9_]*$/.test(fact.name)) return null;
    return {
      message: `${fact.what} \`${fact.name}\` is ${bytes} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES} and silently cuts the rest`,
      hint: 'shorten the name',
    };
  },
});
