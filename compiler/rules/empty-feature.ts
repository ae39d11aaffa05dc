import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'empty-feature',
  severity: 'error',
  stage: 'model',
  summary: 'A feature that creates and extends nothing, and has no SQL file, would be an empty migration.',
  on: ['feature'],
  check({ feature, wrote }) {
    if (feature.tables.length || feature.extends.length || wrote.tables || wrote.extend || wrote.sql) return null;
    return { message: `feature \`${feature.name}\` creates and extends nothing`, hint: 'add `tables:`, `extend:` or `sql:`, or remove the feature' };
  },
});
