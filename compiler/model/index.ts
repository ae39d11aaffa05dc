/**
 * Stage 3, model: validated located trees to a typed Spec.
 *
 * Input: LoadedFile trees that passed ../validate, ModelOptions, a loaded
 * parser. Output: a Spec (see ./types.ts) and the diagnostics of the facts
 * found while reading it (names, types, expressions, RLS presence, the owner
 * column, duplicates): the rules judge them (../rules). Checks that depend on
 * what earlier features created live in ../diff.
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { entry, type LEntry, type LMap, type LoadedFile } from '../load/index.js';
import { ownerRule, type RlsRules, type Environment, type ExistingTable, type Extension, type Feature, type Phase, type Spec, type Table } from './types.js';
import { derivedNames, membersPolicyName, openPolicyName, ownerIndexName, policyName, primaryKeyName } from './names.js';
import { readExtensionRls, readRls } from './access.js';
import { DEFAULT_SCHEMA, map, readColumns, readIndexes, str } from './columns.js';
import { Reader, type ModelOptions } from './reader.js';
import { readAcknowledgments } from './acknowledge.js';
import { readChecks, readEnums, readEnumValues, readExtensionList, readPublishing, readUniques } from './objects.js';
import { readSql, type SqlSources } from './sql.js';

export { DEFAULT_SCHEMA } from './columns.js';
export { Reader, type ModelOptions } from './reader.js';
export { NO_SQL, type SqlSources } from './sql.js';

/**
 * Builds the spec one file at a time, so that a file's tree can be dropped
 * once it is read (the compile reads each file through load, validate and
 * model before the next).
 */
export class SpecBuilder {
  private readonly reader: Reader;
  private readonly read: Phase[] = [];

  constructor(options: ModelOptions, parser: import('../sql/parser.js').SqlParser, sql?: SqlSources) {
    this.reader = new Reader(parser, options, sql);
  }

  /** Reads one validated file. */
  add(file: LoadedFile): void {
    this.read.push(readPhase(this.reader, file));
  }

  /** The spec of the files added, phases in order; of phases that share a number, the first read is kept (duplicate-name reports the others). */
  finish(): { spec: Spec; diagnostics: Diagnostic[] } {
    const phases: Phase[] = [];
    for (const p of this.read) if (!phases.some((q) => q.phase === p.phase)) phases.push(p);
    phases.sort((a, b) => a.phase - b.phase);
    this.reader.accept({ kind: 'phases', span: { file: '', start: 0, end: 0 }, phases: this.read });
    return { spec: { phases, acknowledgments: this.reader.acknowledgments }, diagnostics: this.reader.diagnostics };
  }
}

function readPhase(reader: Reader, file: LoadedFile): Phase {
  const root = file.root as LMap;
  const numberNode = entry(root, 'phase')?.value;
  const featuresEntry = entry(root, 'features');
  const phase: Phase = {
    phase: Number((numberNode as { value?: unknown } | undefined)?.value ?? 0),
    title: str(entry(root, 'title')?.value) ?? '',
    draft: str(entry(root, 'status')?.value) === 'draft',
    file: file.path,
    span: root.span,
    numberSpan: numberNode?.span ?? root.span,
    featuresSpan: featuresEntry?.keySpan ?? root.span,
    features: [],
    existing: [],
  };
  for (const e of map(entry(root, 'existing')?.value)) {
    const name = tableKey(reader, e, 'existing');
    if (name) phase.existing.push({ ...name, span: e.keySpan, columns: readColumns(reader, entry(e.value, 'columns')?.value), phase: phase.phase });
  }
  for (const e of map(featuresEntry?.value)) {
    const feature = readFeature(reader, e, phase);
    if (feature) phase.features.push(feature);
  }
  return phase;
}

/** A table key, `table` or `schema.table` (only `table` under `tables:`, which are created in public); null when it is not valid. */
function tableKey(reader: Reader, e: LEntry, place: 'existing' | 'tables' | 'extend'): { schema: string; name: string } | null {
  if (!reader.accept({ kind: 'table-key', span: e.keySpan, key: e.key, place })) return null;
  const parts = e.key.split('.');
  const [schema, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [DEFAULT_SCHEMA, e.key];
  if (parts.length === 2 && !reader.accept({ kind: 'name', span: e.keySpan, name: schema, what: 'schema', role: 'declared' })) return null;
  if (!reader.accept({ kind: 'name', span: e.keySpan, name, what: 'table', role: 'declared' })) return null;
  return { schema, name };
}

function readEnvironments(reader: Reader, e: LEntry): Environment[] {
  const node = entry(e.value, 'environments')?.value;
  if (node?.kind !== 'seq') return ['production', 'staging'];
  const listed = node.items.map((i) => str(i)).filter((x): x is Environment => x === 'production' || x === 'staging');
  reader.accept({ kind: 'environments', span: node.span, listed });
  return listed.includes('production') ? ['production', 'staging'] : ['staging'];
}

/** Reads one feature (from a phase file, or from a lock snapshot wrapped by fromJson). */
export function readFeature(reader: Reader, e: LEntry, phase: Pick<Phase, 'phase' | 'title' | 'draft' | 'file'>): Feature | null {
  if (!reader.accept({ kind: 'name', span: e.keySpan, name: e.key, what: 'feature', role: 'declared' })) return null;
  const node = e.value;
  const feature: Feature = {
    name: e.key,
    span: e.keySpan,
    phase: phase.phase,
    phaseTitle: phase.title,
    file: phase.file,
    description: str(entry(node, 'description')?.value),
    environments: readEnvironments(reader, e),
    draft: phase.draft,
    tables: [],
    extends: [],
    enums: readEnums(reader, entry(node, 'enums')?.value),
    enumValues: [],
    extensions: readExtensionList(reader, entry(node, 'extensions')?.value),
    sql: null,
    legacy: false,
  };
  for (const t of map(entry(node, 'tables')?.value)) {
    const table = readTable(reader, t);
    if (table && !feature.tables.some((x) => x.name === table.name)) feature.tables.push(table);
  }
  for (const x of map(entry(node, 'extend')?.value)) {
    const values = readEnumValues(reader, x);
    if (values) {
      feature.enumValues.push(values);
      continue;
    }
    const ext = readExtension(reader, x);
    if (ext) feature.extends.push(ext);
  }
  const sql = entry(node, 'sql');
  if (sql) feature.sql = readSql(reader, sql, phase.file);
  const wrote = { tables: !!entry(node, 'tables'), extend: !!entry(node, 'extend') || !!entry(node, 'enums') || !!entry(node, 'extensions'), sql: !!sql };
  reader.accept({ kind: 'feature', span: e.keySpan, feature, wrote });
  return feature;
}

function readTable(reader: Reader, e: LEntry): Table | null {
  if (!tableKey(reader, e, 'tables')) return null;
  const node = e.value;
  const table: Table = {
    schema: DEFAULT_SCHEMA,
    name: e.key,
    span: e.keySpan,
    comment: str(entry(node, 'comment')?.value),
    columns: readColumns(reader, entry(node, 'columns')?.value),
    indexes: [],
    rls: null,
    checks: readChecks(reader, entry(node, 'checks')?.value),
    uniques: readUniques(reader, entry(node, 'unique')?.value),
    realtime: readPublishing(node).realtime !== null,
    touch: readPublishing(node).touch,
  };
  table.indexes = readIndexes(
    reader,
    e.key,
    entry(node, 'indexes')?.value,
    table.columns.map((c) => c.name),
  );
  const rlsEntry = entry(node, 'rls');
  if (rlsEntry?.value.kind === 'map') {
    const label = str(entry(rlsEntry.value, 'label')?.value) ?? defaultLabel(table.name, reader.options.prefix);
    table.rls = readRls(reader, table, rlsEntry, label);
  }
  readAcknowledgments(reader, e);
  reader.accept({ kind: 'table', span: e.keySpan, table, rls: rlsEntry?.value });
  derivedTableNames(reader, table);
  return table;
}

/** The noun of policy names: the table name without the project prefix, underscores as spaces. */
export function defaultLabel(table: string, prefix: string): string {
  const bare = prefix && table.startsWith(prefix) && table.length > prefix.length ? table.slice(prefix.length) : table;
  return bare.replace(/_/g, ' ');
}

function readExtension(reader: Reader, e: LEntry): Extension | null {
  const name = tableKey(reader, e, 'extend');
  if (!name) return null;
  const node = e.value;
  const rls = entry(node, 'rls');
  const grants = entry(node, 'grants');
  const ext: Extension = {
    ...name,
    span: e.keySpan,
    columns: readColumns(reader, entry(node, 'columns')?.value),
    indexes: readIndexes(reader, name.name, entry(node, 'indexes')?.value, null),
    rls: rls ? readExtensionRls(reader, rls) : null,
    exactGrants: grants ? { value: true, span: grants.keySpan } : null,
    ...readPublishing(node),
  };
  readAcknowledgments(reader, e);
  for (const c of ext.columns) {
    for (const [what, derived] of derivedNames(name.name, c)) derivedName(reader, derived, c.span, what, 'shorten the table or column name');
  }
  for (const i of ext.indexes) derivedName(reader, i.name, i.span, 'index name', 'give the index a shorter `name:`');
  return ext;
}

/** The policy names of rules that need nothing but the table to name them (parent rules are named by the fold, which knows the parent). */
function ruleNames(rls: RlsRules): string[] {
  return rls.rules.flatMap((r) => {
    switch (r.kind) {
      case 'owner':
        return r.allow.value.map((op) => policyName(op, rls.label));
      case 'public':
      case 'signed_in':
        return r.allow.value.map((op) => openPolicyName(r.kind, op, rls.label));
      case 'members':
        return r.allow.value.map((op) => membersPolicyName(op, rls.label, r.roles?.values.value ?? null));
      default:
        return [];
    }
  });
}

function derivedName(reader: Reader, name: string, span: Table['span'], what: string, hint: string): void {
  reader.accept({ kind: 'derived-name', span, name, what, hint });
}

/** The names pamc derives for a table (keys, constraints, indexes, policies): each must fit PostgreSQL's limit. */
function derivedTableNames(reader: Reader, table: Table): void {
  derivedName(reader, primaryKeyName(table.name), table.span, 'primary key name', 'shorten the table name');
  for (const c of table.columns) {
    for (const [what, name] of derivedNames(table.name, c)) derivedName(reader, name, c.span, what, 'shorten the table or column name');
  }
  for (const i of table.indexes) derivedName(reader, i.name, i.span, 'index name', 'give the index a shorter `name:`');
  const owner = ownerRule(table.rls);
  if (owner)
    derivedName(reader, ownerIndexName(table.name, owner.column.value), owner.column.span, 'owner index name', 'shorten the table or owner column name');
  if (table.rls?.kind === 'rules') for (const name of ruleNames(table.rls)) derivedName(reader, name, table.rls.span, 'policy name', 'set a shorter `label:`');
}

export type { ExistingTable };
