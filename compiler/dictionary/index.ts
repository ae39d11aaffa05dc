/**
 * Stage dictionary: a Markdown data dictionary of a spec.
 *
 * Input: DictionaryInput (a Spec, an environment, a loaded SqlParser for
 * canonical type names in the diagram). Output: one Markdown document: an
 * overview of the tables, a Mermaid erDiagram of tables and references, and
 * for each table (in fold order) its comment, where it came from, its
 * columns (type, nullability, default, constraints, comment, the feature
 * that added each), its indexes, named constraints, publication, touched
 * columns and access rules; then the enums and extensions. The same input
 * gives the same bytes.
 */
import type { Column, Environment, Spec } from '../model/types.js';
import { checkName, foreignKeyName, inCheckName, ownerIndexName, uniqueName } from '../model/names.js';
import type { SqlParser } from '../sql/parser.js';
import { needsOwnerIndex } from '../diff/fold.js';
import { ownerColumn, tableKey, type TableState } from '../diff/state.js';
import { environmentEnums, environmentState } from '../environment.js';
import { accessLines, accessSummary } from './access.js';
import { code, inline, table } from './markdown.js';
import { erDiagram } from './mermaid.js';
import { objectSections, tableObjectLines } from './objects.js';
import { featuresFor } from '../verify/expected.js';
import { Origins } from './origins.js';

/** DictionaryInput is what the dictionary reads; `schemaDir` is only named in the text. */
export interface DictionaryInput {
  spec: Spec;
  environment: Environment;
  parser: SqlParser;
  schemaDir: string;
}

/** A table's name as the document shows it: without the schema when it is public. */
function shown(t: { schema: string; name: string }): string {
  return t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
}

/** The anchor GitHub gives a heading that is only this name in code. */
function anchor(t: { schema: string; name: string }): string {
  return shown(t).replace(/[^a-z0-9_-]/g, '');
}

/** The constraints of a column; with the names pamc gives them where pamc creates them (`named`). */
function constraints(t: TableState, c: Column, named: boolean): string {
  const out: string[] = [];
  const name = (n: string): string => (named ? ` (${code(n)})` : '');
  const pk = t.columns.filter((x) => x.column.primaryKey);
  if (c.primaryKey) out.push(pk.length > 1 ? 'part of the primary key' : 'primary key');
  if (c.unique) out.push(`unique${name(uniqueName(t.name, c.name))}`);
  if (c.identity) out.push(`identity, generated ${c.identity}`);
  if (c.references) {
    const target = `${c.references.schema === 'public' ? '' : `${c.references.schema}.`}${c.references.table}(${c.references.column})`;
    const action = (when: string, a: string | null): string => (a && a !== 'no action' ? `, on ${when} ${a}` : '');
    out.push(
      `references ${code(target)}${action('delete', c.references.onDelete)}${action('update', c.references.onUpdate)}${name(foreignKeyName(t.name, c.name))}`,
    );
  }
  if (c.in) out.push(`one of ${c.in.value.map((v) => code(String(v))).join(', ')}${name(inCheckName(t.name, c.name))}`);
  if (c.check) out.push(`check ${code(c.check.value)}${name(checkName(t.name, c))}`);
  return out.join('; ');
}

function columnTable(t: TableState, origins: Origins): string {
  const commented = t.columns.some((c) => c.column.comment);
  const header = ['column', 'type', 'null', 'default', 'constraints', 'introduced by', ...(commented ? ['comment'] : [])];
  const rows = t.columns.map(({ column: c, origin }) => [
    code(c.name),
    code(c.type.value),
    c.notNull || c.primaryKey ? 'not null' : 'null',
    c.default ? code(c.default.value) : '',
    constraints(t, c, origin.kind === 'feature'),
    origins.short(origin),
    ...(commented ? [c.comment ? inline(c.comment) : ''] : []),
  ]);
  return table(header, rows);
}

function indexLines(t: TableState, origins: Origins): string[] {
  const lines = t.indexes.map(({ index: i, origin }) => {
    const where = i.where ? ` where ${code(i.where.value)}` : '';
    const method = i.method ? ` using ${i.method}` : '';
    return `- ${code(i.name)}${i.unique ? ' (unique)' : ''} on ${i.keys.map(code).join(', ')}${method}${where}, from ${origins.short(origin)}`;
  });
  const owner = ownerColumn(t.rls);
  if (owner && needsOwnerIndex(t, owner)) lines.push(`- ${code(ownerIndexName(t.name, owner))} on ${code(owner)}: the owner index pamc adds`);
  return lines;
}

function tableSection(t: TableState, origins: Origins): string {
  const parts = [`### ${code(shown(t))}`];
  if (t.comment) parts.push(inline(t.comment));
  parts.push(`Introduced by ${origins.long(t.origin)}.`, columnTable(t, origins));
  const indexes = indexLines(t, origins);
  if (indexes.length) parts.push(`**Indexes**\n\n${indexes.join('\n')}`);
  const objects = tableObjectLines(t);
  if (objects.length) parts.push(`**Constraints, realtime and triggers**\n\n${objects.join('\n')}`);
  parts.push(`**Access**\n\n${accessLines(t, origins).join('\n')}`);
  return parts.join('\n\n');
}

function overview(tables: readonly TableState[], origins: Origins): string {
  return table(
    ['table', 'introduced by', 'access', 'comment'],
    tables.map((t) => [`[${code(shown(t))}](#${anchor(t)})`, origins.short(t.origin), accessSummary(t), t.comment ? inline(t.comment) : '']),
  );
}

/** The data dictionary of `input.environment`. */
export function generateDictionary(input: DictionaryInput): string {
  const state = environmentState(input.spec, input.environment);
  const tables = [...state.values()].filter((t) => t.origin.kind !== 'builtin');
  const targets = new Set(
    tables.flatMap((t) => t.columns.flatMap((c) => (c.column.references ? [tableKey(c.column.references.schema, c.column.references.table)] : []))),
  );
  const referenced = [...state.values()].filter((t) => t.origin.kind === 'builtin' && targets.has(tableKey(t.schema, t.name)));
  const origins = new Origins(input.spec);
  const count = `${tables.length} table${tables.length === 1 ? '' : 's'}`;
  const parts = [
    `<!-- Generated by \`pamc docs\` from ${input.schemaDir}/ (${input.environment}). Do not edit: run \`pamc docs\` again. -->`,
    '# Data dictionary',
    `The ${input.environment} schema that ${code(`${input.schemaDir}/`)} describes: ${count}, in the order the spec introduces them.`,
  ];
  if (tables.length === 0) return `${parts.join('\n\n')}\n`;
  parts.push(overview(tables, origins));
  parts.push('## Diagram', ['```mermaid', ...erDiagram(tables, referenced, input.parser), '```'].join('\n'));
  parts.push('## Tables', ...tables.map((t) => tableSection(t, origins)));
  parts.push(...objectSections(featuresFor(input.spec, input.environment), environmentEnums(input.spec, input.environment)));
  return `${parts.join('\n\n')}\n`;
}
