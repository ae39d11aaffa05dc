import { tableName } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unowned-parent',
  severity: 'error',
  stage: 'fold',
  summary: 'A parent rule whose column does not reference, by its primary key, a table users own (one with an owner or a parent rule).',
  on: ['access-rule'],
  check({ table, rule, target }) {
    if (rule.kind !== 'parent' || !target) return null;
    const ref = table.columns.find((c) => c.column.name === rule.column.value)?.column.references;
    const pk = target.columns.filter((c) => c.column.primaryKey).map((c) => c.column.name);
    if (!ref || pk.length !== 1 || pk[0] !== ref.column) {
      return {
        message: `\`${tableName(table)}.${rule.column.value}\` references \`${tableName(target)}(${ref?.column ?? '?'})\`, which is not its primary key: the parent rule finds the parent row by its key`,
        hint: `reference the primary key of \`${tableName(target)}\` (one column)`,
        span: rule.column.span,
      };
    }
    const ownable = target.rls.kind === 'rules' && target.rls.rules.some((r) => r.rule.kind === 'owner' || r.rule.kind === 'parent');
    if (ownable) return null;
    return {
      message: `the parent of \`${tableName(table)}\` is \`${tableName(target)}\`, which no user owns: it has neither an owner rule nor a parent rule, so no row of \`${tableName(table)}\` would be anyone's`,
      hint: `give \`${tableName(target)}\` an owner rule (\`owner:\`) or a parent rule of its own, or choose another rule for \`${tableName(table)}\` (members, signed_in)`,
      span: rule.column.span,
    };
  },
});
