import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'nullable-owner',
  severity: 'warning',
  stage: 'model',
  summary: 'The owner column may be NULL: such rows belong to nobody and no policy can reach them.',
  on: ['owner'],
  check({ table, column }) {
    if (!column || column.notNull || column.primaryKey) return null;
    return {
      message: `owner column \`${table.name}.${column.name}\` may be NULL: a row without an owner is invisible to every user`,
      hint: `before the table ships, add \`not_null: true\` to \`${column.name}\`; once shipped (change-nullability refuses that), settle it with \`acknowledge: { nullable-owner: <why> }\` under the table`,
    };
  },
});
