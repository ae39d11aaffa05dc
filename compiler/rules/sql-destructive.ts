import { relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';

const ADDITIVE =
  'add beside it instead: a column with `extend:` in the phase file, a function or view under a new name, or CREATE OR REPLACE in a new SQL feature';

export const rule = defineRule({
  id: 'sql-destructive',
  severity: 'error',
  stage: 'fold',
  summary: 'A statement of a SQL feature that drops, truncates, deletes, updates every row, or alters by dropping, renaming, moving or retyping.',
  on: ['sql-statement'],
  check({ action }) {
    const rows = 'rows are data, not schema: change them in the application or by hand, not in a migration every database replays';
    switch (action.kind) {
      case 'drop':
        return { message: `DROP ${action.object}: a migration may only add, and what an earlier one created stays`, hint: ADDITIVE };
      case 'truncate':
        return { message: `TRUNCATE ${action.object} deletes every row, on every database the migration reaches`, hint: rows };
      case 'delete':
        return { message: `DELETE FROM \`${relationText(action.table)}\` removes rows on every database the migration reaches`, hint: rows };
      case 'update':
        if (action.where) return null;
        return {
          message: `UPDATE \`${relationText(action.table)}\` without WHERE rewrites every row`,
          hint: 'limit it with WHERE to the rows the feature seeds, or make the change outside migrations',
        };
      case 'alter': {
        const what = { drop: 'drops', rename: 'renames', move: 'moves to another schema', retype: 'changes the type of' }[action.change];
        return { message: `this ALTER ${what} ${action.object}: clients and migrations that use it as it was break`, hint: ADDITIVE };
      }
      default:
        return null;
    }
  },
});
