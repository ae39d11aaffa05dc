import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'open-waiver',
  severity: 'warning',
  stage: 'fold',
  summary: 'A table whose row level security is waived keeps the privileges Supabase grants every new table: the anon key reads and writes it.',
  on: ['waived-table'],
  check({ table }) {
    if (table.rls.kind !== 'disabled' || table.rls.exactGrants) return null;
    return {
      message: `\`${tableName(table)}\` waives row level security and was shipped before pamc revoked the default privileges: anyone with the project's anon key can read and write every row`,
      hint: `add a feature with \`extend: { ${table.name}: { grants: exact } }\`: it revokes everything from anon and authenticated, and leaves the table to the service role`,
    };
  },
});
