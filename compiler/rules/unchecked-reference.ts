import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unchecked-reference',
  severity: 'warning',
  stage: 'fold',
  summary: "A foreign key to rows users own, on a table with access rules, without a parent rule: any user can point a row at someone else's.",
  on: ['owned-reference'],
  check({ table, column, target }) {
    if (table.rls.kind !== 'rules' || table.rls.rules.length === 0 || target === table) return null;
    const owned = target.rls.kind === 'rules' && target.rls.rules.some((r) => r.rule.kind === 'owner' || r.rule.kind === 'parent');
    if (!owned) return null;
    const rules = table.rls.rules;
    // A parent rule on the column checks every write (its policy is restrictive).
    if (rules.some((r) => r.rule.kind === 'parent' && r.rule.column.value === column.name)) return null;
    // Policies are permissive: the column is checked only if every rule that lets a row be written checks it (a members rule whose group it is).
    const writers = rules.filter((r) =>
      r.rule.kind === 'policy'
        ? r.rule.command !== 'select' && r.rule.command !== 'delete'
        : r.operations.some((p) => p.operation === 'insert' || p.operation === 'update'),
    );
    if (writers.length === 0) return null;
    if (writers.every((r) => r.rule.kind === 'members' && r.rule.group.value === column.name)) return null;
    return {
      message: `\`${tableName(table)}.${column.name}\` references \`${tableName(target)}\`, whose rows users own, but nothing checks that the row is the writer's: PostgreSQL checks a foreign key without row level security, so any user can attach a row to someone else's`,
      hint: `add \`parent: { column: ${column.name} }\` to the rules of \`${tableName(table)}\` (in a new feature's \`extend:\` once the table has shipped): every row written must then be under a parent its writer owns; its \`allow:\` may also let the parent's owner reach the rows`,
    };
  },
});
