import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'change-enum',
  severity: 'error',
  stage: 'history',
  summary: 'The values of a shipped enum change: one is removed, renamed or moved, or added in the feature that shipped the enum.',
  on: ['change'],
  check({ change }) {
    if (change.kind !== 'alter_enum') return null;
    const { before, after } = change;
    const was = before.values.map((v) => `\`${v}\``).join(', ');
    if (!after) {
      return {
        message: `enum \`${before.name}\` was shipped and is no longer in the spec: columns use it, and rows hold its values`,
        hint: 'keep the enum in its feature',
      };
    }
    const kept = after.values.filter((v) => before.values.includes(v));
    if (kept.join('\u0000') === before.values.join('\u0000')) {
      const added = after.values.filter((v) => !before.values.includes(v));
      return {
        message: `enum \`${before.name}\` was shipped as (${was}); values added to it in its own feature are never emitted`,
        hint: `keep the feature as shipped, and add the values in a new feature: \`extend: { ${before.name}: { values: [${added.join(', ')}] } }\``,
      };
    }
    return {
      message: `enum \`${before.name}\` was shipped as (${was}) and is now (${after.values.map((v) => `\`${v}\``).join(', ')}): PostgreSQL cannot drop an enum value, and rows hold the old ones`,
      hint: 'keep every shipped value, in its place; a value the app no longer uses can stay',
    };
  },
});
