import { closest } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unknown-table',
  severity: 'error',
  stage: 'fold',
  summary: 'A feature extends a table that does not exist at that point.',
  on: ['extend-table'],
  check({ ext, target, tables, why }) {
    if (target?.origin.kind === 'builtin') {
      return {
        message: `table \`${ext.schema}.${ext.name}\` belongs to Supabase; pamc does not change it`,
        hint: 'keep per-user data in a table of your own that references auth.users(id)',
      };
    }
    if (target) return null;
    const guess = closest(ext.name, tables);
    return {
      message: `table \`${ext.schema === 'public' ? ext.name : `${ext.schema}.${ext.name}`}\` does not exist at this point${why}`,
      hint: guess ? `did you mean \`${guess}\`?` : 'create it in `tables:` of an earlier feature, or declare it under `existing:`',
    };
  },
});
