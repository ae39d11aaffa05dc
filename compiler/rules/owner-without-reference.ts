import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'owner-without-reference',
  severity: 'warning',
  stage: 'model',
  summary: 'The owner column does not reference a users table, so any uuid can own a row.',
  on: ['owner'],
  check({ table, column }) {
    if (!column || column.references) return null;
    return {
      message: `owner column \`${table.name}.${column.name}\` does not reference a users table, so any uuid can own a row`,
      hint: `before the table ships, add \`references: auth.users(id)\` to \`${column.name}\`; once shipped (change-reference refuses that), settle it with \`acknowledge: { owner-without-reference: <why> }\` under the table`,
    };
  },
});
