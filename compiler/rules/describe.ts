/**
 * Plain-words descriptions of changes and the pieces rules mention, so that
 * every rule phrases tables, columns and operations the same way.
 */
import type { Change } from '../diff/changes.js';
import type { Origin, RuleState, TableState } from '../diff/state.js';
import type { Span } from '../report/diagnostic.js';
import type { AccessRule } from '../model/types.js';

export function tableName(t: Pick<TableState, 'schema' | 'name'>): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

/** "column `trips.end`" */
export function columnName(t: Pick<TableState, 'schema' | 'name'>, column: string): string {
  return `\`${tableName(t)}.${column}\``;
}

export function describeChange(change: Change): string {
  switch (change.kind) {
    case 'add_table':
      return `table \`${tableName(change.table)}\` is added`;
    case 'drop_table':
      return `table \`${tableName(change.table)}\` is removed`;
    case 'rename_table':
      return `table \`${tableName(change.from)}\` is renamed to \`${tableName(change.to)}\``;
    case 'add_column':
      return `column ${columnName(change.table, change.column.column.name)} is added`;
    case 'drop_column':
      return `column ${columnName(change.table, change.column.column.name)} is removed`;
    case 'rename_column':
      return `column ${columnName(change.table, change.from.column.name)} is renamed to \`${change.to.column.name}\``;
    case 'alter_column':
      return `column ${columnName(change.table, change.after.column.name)} is changed`;
    case 'add_index':
      return `index \`${change.index.index.name}\` is added to \`${tableName(change.table)}\``;
    case 'drop_index':
      return `index \`${change.index.index.name}\` is removed from \`${tableName(change.table)}\``;
    case 'alter_index':
      return `index \`${change.after.index.name}\` of \`${tableName(change.table)}\` is changed`;
    case 'add_operation':
      return `\`${change.operation}\` is allowed on \`${tableName(change.table)}\``;
    case 'drop_operation':
      return `\`${change.operation}\` is no longer allowed on \`${tableName(change.table)}\``;
    case 'add_rule':
      return `a ${ruleName(change.rule.rule)} is added to \`${tableName(change.table)}\``;
    case 'drop_rule':
      return `the ${ruleName(change.rule.rule)} of \`${tableName(change.table)}\` is removed`;
    case 'alter_rule':
      return `the ${ruleName(change.after.rule)} of \`${tableName(change.table)}\` is changed`;
    case 'add_function':
      return `function \`${change.fn.name}\` is added`;
    case 'exact_grants':
      return `the grants of \`${tableName(change.table)}\` are made exact`;
    case 'alter_rls':
      return `the row level security of \`${tableName(change.table)}\` is changed`;
    case 'add_extension':
      return `extension \`${change.name}\` is created`;
    case 'add_enum':
      return change.added
        ? `values ${change.added.map((v) => `\`${v}\``).join(', ')} are added to enum \`${change.type.name}\``
        : `enum \`${change.type.name}\` is created`;
    case 'alter_enum':
      return change.after ? `the values of enum \`${change.before.name}\` are changed` : `enum \`${change.before.name}\` is removed`;
    case 'add_realtime':
      return `\`${tableName(change.table)}\` is added to the realtime publication`;
    case 'add_touch':
      return `\`${tableName(change.table)}.${change.table.touch ?? ''}\` is kept at now() on update`;
    case 'drop_table_object':
      return `the ${change.what} of \`${tableName(change.table)}\` is ${change.changed ? 'changed' : 'removed'}`;
  }
}

/** A name or text as messages show it: control characters as \u escapes. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Points into a fragment when the YAML scalar spells it out verbatim; else at the whole scalar. */
export function fragmentSpan(value: { value: string; span: Span }, offset: number): Span {
  const { span } = value;
  if (span.end - span.start === value.value.length && offset < value.value.length)
    return { file: span.file, start: span.start + offset, end: span.start + offset + 1 };
  return span;
}

/** The allowed word nearest to `word`, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

/** Edit distance with adjacent transpositions counted as one edit (`txet` is one edit from `text`). */
function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row.push(d);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/** Who created a thing, for messages: a feature, an `existing:` declaration, or Supabase. */
export function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'feature':
      return `feature \`${origin.feature}\``;
    case 'existing':
      return 'an `existing:` declaration';
    case 'builtin':
      return 'Supabase';
  }
}

/** A rule as messages name it: "public rule", "members rule (owner, admin)", "policy `X`". */
export function ruleName(rule: AccessRule): string {
  switch (rule.kind) {
    case 'owner':
      return 'owner rule';
    case 'public':
      return '`public` rule';
    case 'signed_in':
      return '`signed_in` rule';
    case 'parent':
      return `parent rule (\`${rule.column.value}\`)`;
    case 'members':
      return `members rule (through \`${rule.through.value}\`${rule.roles ? `, roles ${rule.roles.values.value.join(', ')}` : ''})`;
    case 'policy':
      return `policy "${rule.name.value}"`;
  }
}

/** A rule that lets nobody reach more rows (a parent rule without `allow`): it only checks what is written. */
export function checksOnly(rule: RuleState): boolean {
  return rule.rule.kind === 'parent' && rule.operations.length === 0;
}
