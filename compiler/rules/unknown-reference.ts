import type { FactOf } from './facts.js';
import type { MembersRule } from '../model/types.js';
import type { TableState } from '../diff/state.js';
import { closest } from './describe.js';
import { defineRule, type Finding } from './rule.js';

function reference({ column, target, tables, why }: FactOf<'reference'>): Finding | null {
  const ref = column.references!;
  if (!target) {
    const guess = closest(ref.table, tables);
    return {
      message: `\`${column.name}\` references \`${ref.schema}.${ref.table}\`, which does not exist at this point${why}`,
      hint: guess ? `did you mean \`${guess}\`?` : 'reference a table created by an earlier feature, or declare it under `existing:`',
    };
  }
  const names = target.columns.map((c) => c.column.name);
  const targetColumn = target.columns.find((c) => c.column.name === ref.column);
  if (!targetColumn) {
    const guess = closest(ref.column, names);
    return {
      message: `\`${column.name}\` references \`${ref.schema}.${ref.table}(${ref.column})\`, but \`${ref.table}\` has no column \`${ref.column}\``,
      hint: guess ? `did you mean \`${guess}\`?` : `reference one of: ${names.join(', ')}`,
    };
  }
  // PostgreSQL references only a primary key or a unique column (pamc knows that of the tables it creates).
  if (target.origin.kind !== 'feature') return null;
  const pk = target.columns.filter((c) => c.column.primaryKey);
  const singleUnique = target.indexes.some((i) => i.index.unique && !i.index.where && i.index.columns.length === 1 && i.index.columns[0] === ref.column);
  if (targetColumn.column.unique || (pk.length === 1 && pk[0] === targetColumn) || singleUnique) return null;
  return {
    message: `\`${ref.table}.${ref.column}\` is neither the primary key nor unique, so PostgreSQL cannot reference it`,
    hint: `reference the primary key of \`${ref.table}\`, or make \`${ref.column}\` unique`,
  };
}

/** Roles a members rule names that its role column never holds (its `in:` list): such a rule lets nobody in. */
function unknownRoles(rule: MembersRule, target: TableState): Finding[] {
  const roles = rule.roles;
  const allowed = roles ? target.columns.find((c) => c.column.name === roles.column)?.column.in?.value.map(String) : undefined;
  if (!roles || !allowed) return [];
  return roles.values.value
    .filter((r) => !allowed.includes(r))
    .map((role) => {
      const guess = closest(role, allowed);
      return {
        message: `role \`${role}\` is not one of the values \`${target.name}.${roles.column}\` takes (${allowed.map((v) => `\`${v}\``).join(', ')}): the rule would let nobody in`,
        hint: guess ? `did you mean \`${guess}\`?` : `name roles from the \`in:\` list of \`${roles.column}\``,
        span: roles.values.span,
      };
    });
}

/** What an access rule names: columns of its table (a row filter, a parent or group column), a membership table and its columns. */
function accessRule({ table, rule, target, groupColumn }: FactOf<'access-rule'>): Finding[] {
  const names = table.columns.map((c) => c.column.name);
  const missing = (column: string, of: string, columns: readonly string[], span: Finding['span']): Finding => {
    const guess = closest(column, columns);
    return {
      message: `\`${column}\` is not a column of \`${of}\``,
      hint: guess ? `did you mean \`${guess}\`?` : `name one of: ${columns.join(', ')}`,
      ...(span ? { span } : {}),
    };
  };
  switch (rule.kind) {
    case 'public':
    case 'signed_in':
      return rule.whereColumns.filter((c) => !names.includes(c)).map((c) => missing(c, table.name, names, rule.where?.span));
    case 'parent': {
      if (!names.includes(rule.column.value)) return [missing(rule.column.value, table.name, names, rule.column.span)];
      const ref = table.columns.find((c) => c.column.name === rule.column.value)!.column.references;
      if (!ref)
        return [
          {
            message: `parent column \`${table.name}.${rule.column.value}\` references no table`,
            hint: `give \`${rule.column.value}\` a \`references:\` to the parent table's key`,
            span: rule.column.span,
          },
        ];
      return [];
    }
    case 'members': {
      const out: Finding[] = [];
      if (!names.includes(rule.group.value)) out.push(missing(rule.group.value, table.name, names, rule.group.span));
      if (!target)
        return [
          ...out,
          {
            message: `membership table \`${rule.through.value}\` does not exist at this point`,
            hint: 'create it in an earlier feature, or declare it under `existing:`',
            span: rule.through.span,
          },
        ];
      const theirs = target.columns.map((c) => c.column.name);
      if (!groupColumn) {
        out.push({
          message: `\`${target.name}\` has no column naming the group of \`${table.name}.${rule.group.value}\`: none references the same table, and none is called \`${rule.group.value}\``,
          hint: `give \`${target.name}\` a column that references the group's table, or one named \`${rule.group.value}\``,
          span: rule.through.span,
        });
      }
      if (!theirs.includes(rule.user.value)) out.push(missing(rule.user.value, target.name, theirs, rule.user.span));
      if (rule.roles && !theirs.includes(rule.roles.column)) out.push(missing(rule.roles.column, target.name, theirs, rule.roles.values.span));
      return [...out, ...unknownRoles(rule, target)];
    }
    default:
      return [];
  }
}

export const rule = defineRule({
  id: 'unknown-reference',
  severity: 'error',
  stage: 'fold',
  summary: 'A foreign key, index, constraint, access rule or enum extension names a table, column, role or enum that does not exist at that point.',
  on: ['reference', 'check-columns', 'index', 'index-column', 'access-rule', 'table-columns', 'touch', 'extend-enum'],
  check(fact) {
    switch (fact.kind) {
      case 'table-columns':
        return fact.named
          .filter((n) => !fact.columns.includes(n))
          .map((n) => {
            const guess = closest(n, fact.columns);
            return {
              message: `the ${fact.what} of \`${fact.table}\` names \`${n}\`, which is not a column of \`${fact.table}\``,
              hint: guess ? `did you mean \`${guess}\`?` : 'name columns of the table',
            };
          });
      case 'touch': {
        if (fact.column) return null;
        return {
          message: `\`touch: ${fact.name}\` names no column of \`${fact.table}\``,
          hint: `add a \`${fact.name}: { type: timestamptz, not_null: true, default: now() }\` column, or name one the table has`,
        };
      }
      case 'extend-enum':
        if (fact.target) return null;
        return { message: `enum \`${fact.type.name}\` does not exist at this point`, hint: 'create it under `enums:` in an earlier feature, or in this one' };
      case 'reference':
        return reference(fact);
      case 'access-rule':
        return accessRule(fact);
      case 'index-column': {
        if (fact.columns.includes(fact.name)) return null;
        const guess = closest(fact.name, fact.columns);
        return {
          message: `index column \`${fact.name}\` is not a column of \`${fact.table}\``,
          hint: guess ? `did you mean \`${guess}\`?` : 'index a column the table has',
        };
      }
      case 'index': {
        const names = fact.table.columns.map((c) => c.column.name);
        const missing = fact.index.columns.find((c) => !names.includes(c));
        if (missing === undefined) return null;
        return { message: `index column \`${missing}\` is not a column of \`${fact.table.name}\``, hint: `did you mean one of: ${names.join(', ')}?` };
      }
      case 'check-columns': {
        const { table, column } = fact;
        const names = table.columns.map((c) => c.column.name);
        return column.checkColumns
          .filter((ref) => !names.includes(ref))
          .map((ref) => {
            const guess = closest(ref, names);
            return {
              message: `the check of \`${table.name}.${column.name}\` names \`${ref}\`, which is not a column of \`${table.name}\``,
              hint: guess ? `did you mean \`${guess}\`?` : 'a check may only use columns of its own table',
            };
          });
      }
    }
  },
});
