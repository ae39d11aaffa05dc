import { byteLength, MAX_IDENTIFIER_BYTES } from '../sql/ident.js';
import { defineRule, type Finding } from './rule.js';
import type { FactOf } from './facts.js';
import { rulePolicies } from '../emit/access.js';

/**
 * The names of policies only the fold can name: a new table's parent rules
 * (named after the parent table), and every rule an extension adds. Each
 * must fit PostgreSQL's limit.
 */
function parentPolicyNames({ table, added }: FactOf<'policy-names'>): Finding[] {
  if (table.rls.kind !== 'rules') return [];
  const rules = added ?? table.rls.rules.filter((r) => r.rule.kind === 'parent');
  const names = rules.filter((r) => r.rule.kind !== 'policy').flatMap((r) => rulePolicies(table, r).map((p) => p.name));
  return names
    .filter((n) => byteLength(n) > MAX_IDENTIFIER_BYTES)
    .map((n) => ({
      message: `the policy name \`${n}\` would be ${byteLength(n)} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES}, so two names could collide`,
      hint: 'set a shorter `label:` on this table or its parent',
    }));
}

export const rule = defineRule({
  id: 'identifier-too-long',
  severity: 'error',
  stage: 'model',
  summary: 'A name, written or derived (policy, index, constraint), longer than PostgreSQL keeps (63 bytes).',
  on: ['name', 'derived-name', 'policy-names'],
  check(fact) {
    if (fact.kind === 'policy-names') return parentPolicyNames(fact);
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
