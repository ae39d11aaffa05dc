/**
 * What the dictionary says of a spec's schema objects beside columns: its
 * enums (each value with the feature that added it) and extensions, and of
 * each table its named constraints, its realtime publication and its
 * touched columns.
 *
 * Input: the features of an environment, in order, its enums, and a
 * table's state.
 * Output: Markdown sections and lines.
 */
import type { TableState } from '../diff/state.js';
import type { EnumState } from '../environment.js';
import type { Feature } from '../model/types.js';
import { code } from './markdown.js';

/** Enums and extensions of schema-wide scope, each with where it came from. */
export function objectSections(features: readonly Feature[], enums: readonly EnumState[]): string[] {
  const where = (f: Feature): string => `${code(f.name)} (phase ${f.phase})`;
  const extensions = features.flatMap((f) => f.extensions.map((x) => `- ${code(x.value)}, in schema \`extensions\`, from ${where(f)}`));
  const out: string[] = [];
  if (enums.length) {
    const lines = enums.map((e) => {
      const first = e.values[0]!.feature;
      const later = e.values.filter((v) => v.feature !== first);
      const added = later.length ? `; ${later.map((v) => `${code(v.value)} added by ${where(v.feature)}`).join(', ')}` : '';
      const name = e.schema === 'public' ? e.name : `${e.schema}.${e.name}`;
      return `- ${code(name)}: ${e.values.map((v) => code(v.value)).join(', ')} (in this order), from ${where(first)}${added}`;
    });
    out.push('## Enums', lines.join('\n'));
  }
  if (extensions.length) out.push('## Extensions', extensions.join('\n'));
  return out;
}

/** A table's named constraints, realtime publication and touched columns, as list lines. */
export function tableObjectLines(t: TableState): string[] {
  const lines = [
    ...t.checks.map((c) => `- ${code(c.name.value)}: check ${code(c.expression.value)}`),
    ...t.uniques.map((u) => `- ${code(u.name.value)}: unique (${u.columns.value.map(code).join(', ')})`),
  ];
  if (t.realtime) lines.push('- in the `supabase_realtime` publication: clients may subscribe to its changes, under its row level security');
  if (t.touch) lines.push(`- ${code(t.touch)} is set to \`now()\` on every update (trigger ${code(`${t.name}_touch_${t.touch}`)})`);
  return lines;
}
