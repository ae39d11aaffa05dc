/**
 * SQL features in the fold: every statement of a feature's SQL file, judged
 * against the schema as it stands after the feature's own `tables:` and
 * `extend:` (its SQL comes after them in the migration).
 *
 * Input: the feature's SqlPart, the fold's state, the views earlier SQL
 * features created over tables of the spec. Output: the `sql-statement`
 * facts (judged by the rules sql-*), and the views this file creates over
 * tables of the spec, added to `views`.
 */
import type { FoldFact } from '../rules/facts.js';
import type { SqlPart } from '../model/types.js';
import { relationText, type Relation } from '../sql/classify.js';
import { tableKey, type SchemaState } from './state.js';

/** Views created by SQL features ("schema.name") and the tables of the spec each reads, directly or through other views. */
export type SqlViews = Map<string, string[]>;

/** Judges each statement of `part` in place. */
export function judgeSql(part: SqlPart, state: SchemaState, views: SqlViews, accept: (fact: FoldFact) => boolean): void {
  const name = (t: { schema: string; name: string }): string => (t.schema === 'public' ? t.name : `${t.schema}.${t.name}`);
  const reaches = (r: Relation): string[] => {
    const table = state.get(tableKey(r.schema, r.name));
    return table ? [name(table)] : (views.get(relationText(r)) ?? []);
  };
  const tablesIn = (schema: string): string[] => [...state.values()].filter((t) => t.schema === schema).map(name);
  for (const item of part.statements) {
    for (const action of item.actions) {
      accept({ kind: 'sql-statement', span: item.span, action, inBlock: item.inBlock, reaches, tablesIn });
      if (action.kind !== 'view') continue;
      const read = [...new Set(action.reads.flatMap(reaches))];
      if (read.length) views.set(relationText(action.view), read);
    }
  }
}
