import { IDENTIFIER } from '../sql/ident.js';
import { printable } from './describe.js';
import { defineRule } from './rule.js';

/** Why a name is not valid, and how to write it. */
function problem(name: string): { why: string; hint: string } {
  const lower = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[-\s]+/g, '_')
    .toLowerCase();
  // A look-alike letter from another alphabet (Cyrillic `о` for `o`) is invisible in the name itself: name it.
  const foreign = /[^\u0000-\u007f]/u.exec(name)?.[0];
  if (!foreign) {
    const hint = IDENTIFIER.test(lower)
      ? `write it in lower case: \`${lower}\``
      : 'use lower-case ASCII letters, digits and underscores, starting with a letter or underscore';
    return { why: '', hint };
  }
  const code = `U+${foreign.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  // An invisible character (a no-break or zero-width space) is named by its code point only.
  const shown = /[\s\p{C}]/u.test(foreign) ? code : `\`${foreign}\` (${code})`;
  return {
    why: `: ${shown} is not an ASCII letter`,
    hint: 'retype the name in ASCII: a letter from another alphabet that looks like a Latin one is a different name to PostgreSQL',
  };
}

export const rule = defineRule({
  id: 'invalid-identifier',
  severity: 'error',
  stage: 'model',
  summary: 'A name that is not lower-case `[a-z_][a-z0-9_]*`.',
  on: ['name', 'table-key', 'migration-name'],
  check(fact) {
    switch (fact.kind) {
      case 'name': {
        if (fact.role !== 'declared' || IDENTIFIER.test(fact.name)) return null;
        const { why, hint } = problem(fact.name);
        return { message: `${fact.what} \`${printable(fact.name)}\` is not a valid name${why}`, hint };
      }
      case 'table-key':
        if (fact.place === 'tables' && fact.key.includes('.')) {
          return {
            message: `pamc creates tables in schema \`public\`; \`${printable(fact.key)}\` names another schema`,
            hint: 'write the table name alone; declare tables of other schemas under `existing:`',
          };
        }
        if (fact.key.split('.').length <= 2) return null;
        return { message: `\`${printable(fact.key)}\` is not \`table\` or \`schema.table\``, hint: 'write the table as `name` or `schema.name`' };
      case 'migration-name':
        if (/^[0-9]{14}_[a-z0-9_]+\.sql$/.test(fact.file)) return null;
        return {
          message: `feature name \`${fact.feature}\` does not make a valid migration file name`,
          hint: 'use lower-case letters, digits and underscores',
        };
    }
  },
});
