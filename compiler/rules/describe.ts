/**
 * Plain-words descriptions of changes and the pieces rules mention, so that
 * every rule phrases tables, columns and operations the same way.
 */
import type { Change } from '../diff/changes.js';
import type { TableState } from '../diff/state.js';

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
    case 'add_policy':
      return `\`${change.operation}\` is allowed on \`${tableName(change.table)}\``;
    case 'drop_policy':
      return `\`${change.operation}\` is no longer allowed on \`${tableName(change.table)}\``;
    case 'alter_rls':
      return `the row level security of \`${tableName(change.table)}\` is changed`;
  }
}
