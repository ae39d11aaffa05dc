import { relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'sql-creates-table',
  severity: 'error',
  stage: 'fold',
  summary: 'A SQL feature creates a table (CREATE TABLE, CREATE TABLE AS, SELECT INTO): it would get no row level security, rules or grants from pamc.',
  on: ['sql-statement'],
  check({ action }) {
    if (action.kind !== 'create-table') return null;
    return {
      message: `this statement creates table \`${relationText(action.table)}\` outside the spec: it gets no row level security, access rules or grants, and in schema public anyone with the anon key may read and write it`,
      hint: 'declare the table under `tables:` in the phase file, so it is created with row level security and its rules; the SQL file can then fill or use it',
    };
  },
});
