import { defineRule } from './rule.js';
import { columnName } from './describe.js';

export const rule = defineRule({
  id: 'drop-check',
  severity: 'error',
  stage: 'history',
  summary: 'A check (or `in` list) of a shipped column disappears.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_column') return null;
    const { before, after } = change;
    const lost = [before.column.in && !after.column.in ? 'an `in` list' : null, before.column.check && !after.column.check ? 'a check' : null].filter(Boolean);
    if (lost.length === 0) return null;
    return {
      message: `column ${columnName(change.table, after.column.name)} was shipped with ${lost.join(' and ')}, which ${lost.length > 1 ? 'are' : 'is'} gone: the database would keep enforcing it while the spec says otherwise`,
      hint: 'keep the shipped check; to accept other values, add a new column with the wider check in a new feature',
      span: after.column.span,
    };
  },
});
