import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'sql-transaction-control',
  severity: 'error',
  stage: 'fold',
  summary: 'A statement of a SQL feature that opens or ends a transaction, or cannot run inside one (VACUUM, CREATE INDEX CONCURRENTLY).',
  on: ['sql-statement'],
  check({ action }) {
    if (action.kind !== 'transaction') return null;
    return {
      message: `${action.what} cannot be part of a migration: each migration runs inside one transaction (Supabase's, or verify's, which it rolls back)`,
      hint: 'remove it; run maintenance such as VACUUM or CREATE INDEX CONCURRENTLY outside migrations',
    };
  },
});
