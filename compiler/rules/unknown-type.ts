import { BUILTIN_TYPES } from '../sql/types.js';
import { closest, printable } from './describe.js';
import { defineRule } from './rule.js';

/** Types that exist only in column definitions: an integer column with its own sequence. */
const SERIALS = new Set(['serial', 'serial2', 'serial4', 'serial8', 'smallserial', 'bigserial']);
/** The names people write for the built-in types, for suggestions: they read as the internal names above. */
const SPELLINGS = ['integer', 'smallint', 'bigint', 'boolean', 'real', 'double precision', 'decimal', 'character varying', 'timestamp', 'timestamptz'];
/** Schemas whose types a name without a schema finds on Supabase (its search_path). */
const SEARCHED = ['public', 'extensions'];

export const rule = defineRule({
  id: 'unknown-type',
  severity: 'error',
  stage: 'fold',
  summary: 'A column type that does not exist at that point: not built into PostgreSQL, not declared by the spec.',
  on: ['column-type'],
  check({ column, declared }) {
    const name = column.typeName;
    if (!name || name.length > 2) return null;
    const [schema, type] = name.length === 2 ? [name[0]!, name[1]!] : [null, name[0]!];
    if (schema === null && (BUILTIN_TYPES.has(type) || SERIALS.has(type))) return null;
    if (schema === null ? SEARCHED.some((s) => declared.has(`${s}.${type}`)) : declared.has(`${schema}.${type}`)) return null;
    const known = [...SPELLINGS, ...BUILTIN_TYPES, ...[...declared].map((d) => d.replace(/^public\./, ''))];
    const guess = closest(type, known);
    return {
      message: `the type \`${printable(column.type.value)}\` of column \`${column.name}\` does not exist at this point: PostgreSQL has no such type, and the spec declares none`,
      hint: guess
        ? `did you mean \`${guess}\`?`
        : 'write a PostgreSQL type (text, uuid, integer, timestamptz, jsonb, ...), or declare the type first: an enum (`enums:`) or an extension (`extensions:`)',
    };
  },
});
