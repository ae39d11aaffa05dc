import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'modify-emitted-sql',
  severity: 'error',
  stage: 'history',
  summary: 'The SQL file of a feature that was already emitted is edited, added or removed.',
  on: ['edited-sql'],
  check({ feature, entry, shipped, now }) {
    const file = feature.sql?.file ?? '';
    const what = shipped === null ? `now has a SQL file, ${file}` : now === null ? 'no longer has its SQL file' : `has its SQL file ${file} edited`;
    const change = 'write the change as a new feature with a `sql:` file of its own (CREATE OR REPLACE for functions, views and triggers)';
    const hint =
      shipped === null
        ? `remove \`sql:\` from the shipped feature; ${change}`
        : now === null
          ? `restore \`sql:\` as it shipped (the end of migration ${entry.file} holds its text); ${change}`
          : `restore the file as it shipped (the end of migration ${entry.file} holds its text); ${change}`;
    return {
      message: `feature \`${feature.name}\` was emitted as ${entry.file} and ${what}: its migration is frozen, and databases that applied it never see the change`,
      hint,
    };
  },
});
