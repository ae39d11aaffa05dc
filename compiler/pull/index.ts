/**
 * Stage pull: an existing database's tables as a phase file of `existing:`
 * declarations, which later features can reference and extend.
 *
 * Input: PullInput (a Catalog read from the database, a loaded SqlParser,
 * the phase number, the `$schema` reference, where it was read from).
 * Output: PullResult: the YAML text, and every Omission: what the file does
 * not declare (a table or column pamc cannot name, a constraint that fits no
 * column, a policy, an index, a trigger, a view), listed at the top of the
 * file as comments and returned for the command to print. Nothing is left
 * out silently.
 */
import type { SqlParser } from '../sql/parser.js';
import type { Catalog, CatalogPolicy, CatalogTable } from './catalog.js';
import { flat, pullColumns, validName, type Omission, type PulledColumn } from './columns.js';

export type { Omission } from './columns.js';

/** PullInput is what the conversion reads; `source` names the database in the file's header (no password). */
export interface PullInput {
  catalog: Catalog;
  parser: SqlParser;
  phase: number;
  schemaRef: string;
  source: string;
}

/** PullResult is the phase file, what it does not declare, and how many tables it declares. */
export interface PullResult {
  text: string;
  omitted: Omission[];
  tables: number;
}

const YAML_WORDS = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

/** A YAML scalar for a flow mapping: plain where that reads back as the same string, else double-quoted (JSON). */
function scalar(value: string | boolean): string {
  if (typeof value === 'boolean') return String(value);
  if (/^[A-Za-z_][A-Za-z0-9_.]*(\([A-Za-z0-9_.]*\))?$/.test(value) && !YAML_WORDS.test(value)) return value;
  return JSON.stringify(value);
}

function columnLine(c: PulledColumn, width: number): string {
  return `      ${`${c.name}:`.padEnd(width + 1)} { ${c.keys.map(([k, v]) => `${k}: ${scalar(v)}`).join(', ')} }`;
}

const COMMANDS: Record<string, string> = { SELECT: 'FOR SELECT', INSERT: 'FOR INSERT', UPDATE: 'FOR UPDATE', DELETE: 'FOR DELETE', ALL: 'FOR ALL' };

/** A policy in the words of CREATE POLICY. */
function policyText(p: CatalogPolicy): string {
  const parts = [
    `policy "${p.name}"`,
    p.permissive === 'RESTRICTIVE' ? 'AS RESTRICTIVE' : '',
    COMMANDS[p.command] ?? `FOR ${p.command}`,
    `TO ${p.roles.join(', ')}`,
  ];
  if (p.using !== null) parts.push(`USING (${flat(p.using)})`);
  if (p.check !== null) parts.push(`WITH CHECK (${flat(p.check)})`);
  return parts.filter((x) => x !== '').join(' ');
}

/** The comment lines above a table's `columns:`: its comment and its row level security. */
function tableComments(t: CatalogTable, policies: number): string[] {
  const lines: string[] = [];
  if (t.comment !== null) lines.push(`    # comment: ${flat(t.comment)}`);
  const count = `${policies} polic${policies === 1 ? 'y' : 'ies'}`;
  lines.push(
    t.rls
      ? `    # row level security: enabled${t.forceRls ? ' and forced' : ''}, ${count} (listed above; pamc does not manage the RLS of existing tables)`
      : `    # row level security: DISABLED: anyone with the project's anon key can read and write every row${policies ? ` (${count}, not in force)` : ''}`,
  );
  return lines;
}

/** What `existing:` cannot say about a table's row level security, where its policies do not say it already. */
function rlsOmission(t: CatalogTable, policies: number): string | null {
  if (!t.rls) return "row level security is DISABLED: anyone with the project's anon key can read and write every row";
  if (policies === 0) return `row level security is enabled${t.forceRls ? ' and forced' : ''} with no policy: only the service role reaches its rows`;
  return t.forceRls ? 'row level security is forced (it applies to the table owner too)' : null;
}

/** The tables' declarations, and what of each does not fit. */
function declarations(input: PullInput, omitted: Omission[]): string[] {
  const { catalog } = input;
  const out: string[] = [];
  for (const t of catalog.tables) {
    if (t.partitionOf !== null) {
      omitted.push({ table: t.name, what: `a partition of \`${t.partitionOf}\`: not declared (its parent is)` });
      continue;
    }
    if (!validName(t.name)) {
      omitted.push({ table: t.name, what: 'not declared: not a name pamc accepts (lower-case letters, digits and _, at most 63 bytes)' });
      continue;
    }
    const columns = pullColumns(
      t.name,
      catalog.columns.filter((c) => c.table === t.name),
      catalog.constraints.filter((k) => k.table === t.name),
      input.parser,
      omitted,
    );
    const policies = catalog.policies.filter((p) => p.table === t.name);
    for (const p of policies) omitted.push({ table: t.name, what: policyText(p) });
    const rls = rlsOmission(t, policies.length);
    if (rls) omitted.push({ table: t.name, what: rls });
    if (t.comment !== null) omitted.push({ table: t.name, what: `table comment: ${flat(t.comment)}` });
    if (t.partitioned) omitted.push({ table: t.name, what: 'partitioned: its partitions are not declared' });
    if (columns.length === 0) {
      omitted.push({ table: t.name, what: 'not declared: none of its columns could be' });
      continue;
    }
    const key = catalog.schema === 'public' ? t.name : `${catalog.schema}.${t.name}`;
    const width = Math.max(...columns.map((c) => c.name.length));
    out.push(`  ${key}:`, ...tableComments(t, policies.length), '    columns:', ...columns.map((c) => columnLine(c, width)));
  }
  return out;
}

/** The phase file for `input.catalog`. */
export function catalogToPhase(input: PullInput): PullResult {
  const omitted: Omission[] = [];
  const tables = declarations(input, omitted);
  const { catalog } = input;
  for (const i of catalog.indexes) omitted.push({ table: i.table, what: `index ${i.name}: ${flat(i.definition)}` });
  for (const g of catalog.triggers) omitted.push({ table: g.table, what: `trigger ${g.name}: ${flat(g.definition)}` });
  for (const r of catalog.relations) omitted.push({ table: null, what: `${r.definition} \`${r.name}\`: not a table` });
  omitted.sort((a, b) => (a.table ?? '').localeCompare(b.table ?? '', 'en'));
  const declared = tables.filter((l) => /^ {2}\S/.test(l)).length;
  const header = [
    `# yaml-language-server: $schema=${input.schemaRef}`,
    '#',
    `# The tables of schema ${catalog.schema} in ${input.source}, written by \`pamc pull\`.`,
    '# They are declared `existing:`: pamc never creates or changes them, and later',
    '# phases may reference them and add columns and indexes with `extend:`.',
  ];
  if (omitted.length) {
    header.push('#', `# Not declared here (${omitted.length}): pamc does not know these; review them.`);
    for (const o of omitted) header.push(`#   - ${o.table === null ? '' : `${o.table}: `}${o.what}`);
  }
  const body = [`phase: ${input.phase}`, `title: Existing schema`, declared ? 'existing:' : 'existing: {}', ...tables, 'features: {}'];
  return { text: `${[...header, ...body].join('\n')}\n`, omitted, tables: declared };
}
