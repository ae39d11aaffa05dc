import { EXPOSED_SCHEMAS, relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'sql-exposed-view',
  severity: 'error',
  stage: 'fold',
  summary:
    'A view of a SQL feature, in a schema the API exposes, that reads a table of the spec with its owner’s rights (no `security_invoker = true`), or a materialized view of one.',
  on: ['sql-statement'],
  check({ action, reaches }) {
    if (action.kind !== 'view' || !EXPOSED_SCHEMAS.includes(action.view.schema)) return null;
    if (!action.materialized && action.invoker) return null;
    const read = [...new Set(action.reads.flatMap(reaches))];
    if (!read.length) return null;
    const tables = `\`${read.join('`, `')}\``;
    const view = `\`${relationText(action.view)}\``;
    if (action.materialized)
      return {
        message: `materialized view ${view} copies rows of ${tables}, which no row level security filters, in schema ${action.view.schema}, which the API exposes to anon`,
        hint: 'create it in a schema the API does not expose, or use a view `with (security_invoker = true)`',
      };
    return {
      message: `view ${view} reads ${tables} with its owner’s rights: through it, anon and signed-in users read every row, whatever the table’s rules say`,
      hint: 'create it `with (security_invoker = true)`, so each reader’s own rules apply, or in a schema the API does not expose',
    };
  },
});
