import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'enum-value-in-use',
  severity: 'error',
  stage: 'fold',
  summary: 'A feature adds a value to an enum and uses it: PostgreSQL refuses a new enum value in the transaction that adds it.',
  on: ['enum-use'],
  check({ column, value }) {
    return {
      message: `column \`${column.name}\` uses \`${value}\`, which this same feature adds to its enum: PostgreSQL refuses to use a new enum value in the transaction that added it (\`supabase db push\` runs each migration in one)`,
      hint: `add the value in one feature and use it in a later one`,
    };
  },
});
