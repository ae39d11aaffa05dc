import { relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';

const GUARD = 'create it in a DO block that first looks in the catalog (PostgreSQL has no IF NOT EXISTS for it)';

export const rule = defineRule({
  id: 'sql-not-rerunnable',
  severity: 'error',
  stage: 'fold',
  summary:
    'A statement of a SQL feature that fails or adds rows again when its migration runs a second time (CREATE without OR REPLACE or IF NOT EXISTS, INSERT without ON CONFLICT).',
  on: ['sql-statement'],
  check({ action, inBlock, reaches }) {
    // A DO block is where a guard is written; verify runs every migration twice and shows what still fails.
    if (inBlock) return null;
    const again = 'fails when the migration runs again';
    switch (action.kind) {
      case 'function':
        return action.guarded
          ? null
          : { message: `CREATE FUNCTION \`${relationText(action.name)}\` ${again}: the function exists`, hint: 'write CREATE OR REPLACE FUNCTION' };
      case 'view': {
        if (action.guarded) return null;
        const form = action.materialized ? 'CREATE MATERIALIZED VIEW IF NOT EXISTS' : 'CREATE OR REPLACE VIEW';
        return { message: `this CREATE ${action.materialized ? 'MATERIALIZED ' : ''}VIEW ${again}: the view exists`, hint: `write ${form}` };
      }
      case 'create':
        return action.guarded ? null : { message: `creating ${action.object} ${again}: it exists`, hint: action.guard ? `write ${action.guard}` : GUARD };
      case 'add':
        return action.guarded
          ? null
          : {
              message: `adding ${action.object} ${again}: it exists`,
              hint: 'add columns with `extend:` in the phase file; in SQL, write ADD COLUMN IF NOT EXISTS',
            };
      case 'policy':
        if (action.alter || reaches(action.table).length) return null;
        return {
          message: `CREATE POLICY on \`${relationText(action.table)}\` ${again}: the policy exists`,
          hint: `${GUARD}: only where pg_policies does not list it`,
        };
      case 'insert':
        return action.onConflict
          ? null
          : {
              message: `INSERT INTO \`${relationText(action.table)}\` adds its rows again, or fails on a unique key, when the migration runs again`,
              hint: 'add ON CONFLICT DO NOTHING (or DO UPDATE), over the primary key or a unique constraint',
            };
      default:
        return null;
    }
  },
});
