/**
 * Stage 3, model: validated located trees to a typed Spec.
 *
 * Input: LoadedFile[] that passed ../validate, ModelOptions, a loaded parser.
 * Output: a Spec (see ./types.ts) and the diagnostics that need no history:
 * identifiers, types, expressions, duplicate names, RLS presence and the owner
 * column. Checks that depend on what earlier features created live in ../diff.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import { diagnostic } from '../rules/index.js';
import { entry, type LEntry, type LMap, type LNode, type LoadedFile } from '../load/index.js';
import { closest } from '../validate/index.js';
import { byteLength, IDENTIFIER, keywordClass, MAX_IDENTIFIER_BYTES } from '../sql/ident.js';
import { checkExpression, checkType, columnRefs } from '../sql/fragments.js';
import type { SqlParser } from '../sql/parser.js';
import type {
  Column,
  Environment,
  ExistingTable,
  Extension,
  Feature,
  Index,
  Located,
  OnDelete,
  Operation,
  OwnerRls,
  Phase,
  Reference,
  RlsWaiver,
  Spec,
  Table,
} from './types.js';
import { derivedNames, policyName } from './names.js';

/** ModelOptions are the project settings the model needs (from package.json "pamc"). */
export interface ModelOptions {
  /** Stripped from table names to form the noun of policy names ("pam_" turns pam_messages into "messages"). */
  prefix: string;
}

export const DEFAULT_SCHEMA = 'public';

/** Collects diagnostics while a tree is read. */
class Reader {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    readonly parser: SqlParser,
    readonly options: ModelOptions,
  ) {}

  identifier(name: string, span: Span, what: string): boolean {
    if (!IDENTIFIER.test(name)) {
      const lower = name
        .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
        .replace(/[-\s]+/g, '_')
        .toLowerCase();
      // A look-alike letter from another alphabet (Cyrillic `о` for `o`) is invisible in the name itself: name it.
      const foreign = /[^\u0000-\u007f]/u.exec(name)?.[0];
      const code = foreign ? `U+${foreign.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` : '';
      // An invisible character (a no-break or zero-width space) is named by its code point only.
      const why = foreign ? `: ${/[\s\p{C}]/u.test(foreign) ? code : `\`${foreign}\` (${code})`} is not an ASCII letter` : '';
      const hint = foreign
        ? 'retype the name in ASCII: a letter from another alphabet that looks like a Latin one is a different name to PostgreSQL'
        : IDENTIFIER.test(lower)
          ? `write it in lower case: \`${lower}\``
          : 'use lower-case ASCII letters, digits and underscores, starting with a letter or underscore';
      this.diagnostics.push(diagnostic('invalid-identifier', span, `${what} \`${printable(name)}\` is not a valid name${why}`, hint));
      return false;
    }
    if (byteLength(name) > MAX_IDENTIFIER_BYTES) {
      this.diagnostics.push(
        diagnostic(
          'identifier-too-long',
          span,
          `${what} \`${name}\` is ${byteLength(name)} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES} and silently cuts the rest`,
          'shorten the name',
        ),
      );
      return false;
    }
    const keyword = keywordClass(name);
    if (keyword) {
      this.diagnostics.push(
        diagnostic(
          'reserved-identifier',
          span,
          `${what} \`${name}\` is ${keyword} in PostgreSQL; pamc quotes it, but every hand-written query must write "${name}"`,
          `consider a name that is not a keyword, such as \`${name}_at\` or \`${name}_value\``,
        ),
      );
    }
    return true;
  }

  derived(name: string, span: Span, what: string, hint: string): void {
    if (byteLength(name) > MAX_IDENTIFIER_BYTES) {
      this.diagnostics.push(
        diagnostic(
          'identifier-too-long',
          span,
          `the ${what} \`${name}\` would be ${byteLength(name)} bytes; PostgreSQL keeps only ${MAX_IDENTIFIER_BYTES}, so two names could collide`,
          hint,
        ),
      );
    }
  }

  /** Checks an expression; true when it is valid. */
  expression(value: Located<string>, what: string): boolean {
    const problem = checkExpression(this.parser, value.value, what);
    if (problem)
      this.diagnostics.push(
        diagnostic('invalid-expression', fragmentSpan(value, problem.offset), `the ${what} \`${printable(value.value)}\`: ${problem.message}`, problem.hint),
      );
    return problem === null;
  }
}

function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Points into a fragment when the YAML scalar spells it out verbatim; else at the whole scalar. */
function fragmentSpan(value: Located<string>, offset: number): Span {
  const { span } = value;
  if (span.end - span.start === value.value.length && offset < value.value.length)
    return { file: span.file, start: span.start + offset, end: span.start + offset + 1 };
  return span;
}

function str(node: LNode | undefined): string | null {
  return node?.kind === 'scalar' && typeof node.value === 'string' ? node.value : null;
}
function bool(node: LNode | undefined): boolean {
  return node?.kind === 'scalar' && node.value === true;
}
function located(node: LNode): Located<string> {
  return { value: node.kind === 'scalar' ? String(node.value).trim() : '', span: node.span };
}
function map(node: LNode | undefined): LEntry[] {
  return node?.kind === 'map' ? node.entries : [];
}

/**
 * Builds the spec one file at a time, so that a file's tree can be dropped
 * once it is read (the compile reads each file through load, validate and
 * model before the next): on a large spec, trees kept until the end are
 * most of what the garbage collector copies.
 */
export class SpecBuilder {
  private readonly reader: Reader;
  private readonly phases: Phase[] = [];

  constructor(options: ModelOptions, parser: SqlParser) {
    this.reader = new Reader(parser, options);
  }

  /** Reads one validated file. Files with the same phase number are a duplicate-name error. */
  add(file: LoadedFile): void {
    const phase = readPhase(this.reader, file);
    const clash = this.phases.find((p) => p.phase === phase.phase);
    if (clash) {
      this.reader.diagnostics.push(
        diagnostic(
          'duplicate-name',
          entry(file.root, 'phase')?.value.span ?? phase.span,
          `phase ${phase.phase} is also defined in ${clash.file}`,
          'give each phase file its own phase number',
        ),
      );
      return;
    }
    this.phases.push(phase);
  }

  /** The spec of the files added, phases in order; a feature name defined twice is a duplicate-name error. */
  finish(): { spec: Spec; diagnostics: Diagnostic[] } {
    const phases = this.phases.sort((a, b) => a.phase - b.phase);
    const seenFeatures = new Map<string, Feature>();
    for (const feature of phases.flatMap((p) => p.features)) {
      const other = seenFeatures.get(feature.name);
      if (other) {
        this.reader.diagnostics.push(
          diagnostic(
            'duplicate-name',
            feature.span,
            `feature \`${feature.name}\` is also defined in phase ${other.phase} (${other.file})`,
            'feature names become migration file names: give each feature its own name',
          ),
        );
      } else seenFeatures.set(feature.name, feature);
    }
    return { spec: { phases }, diagnostics: this.reader.diagnostics };
  }
}

function readPhase(reader: Reader, file: LoadedFile): Phase {
  const root = file.root as LMap;
  const phaseNumber = Number((entry(root, 'phase')?.value as { value?: unknown } | undefined)?.value ?? 0);
  const title = str(entry(root, 'title')?.value) ?? '';
  const draft = str(entry(root, 'status')?.value) === 'draft';
  const featuresEntry = entry(root, 'features');
  const phase: Phase = {
    phase: phaseNumber,
    title,
    draft,
    file: file.path,
    span: root.span,
    featuresSpan: featuresEntry?.keySpan ?? root.span,
    features: [],
    existing: [],
  };
  for (const e of map(entry(root, 'existing')?.value)) {
    const parts = e.key.split('.');
    const [schema, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [DEFAULT_SCHEMA, e.key];
    if (parts.length > 2) {
      reader.diagnostics.push(
        diagnostic(
          'invalid-identifier',
          e.keySpan,
          `\`${printable(e.key)}\` is not \`table\` or \`schema.table\``,
          'write the table as `name` or `schema.name`',
        ),
      );
      continue;
    }
    if (!reader.identifier(schema, e.keySpan, 'schema') || !reader.identifier(name, e.keySpan, 'table')) continue;
    const table: ExistingTable = { schema, name, span: e.keySpan, columns: readColumns(reader, entry(e.value, 'columns')?.value), phase: phaseNumber };
    phase.existing.push(table);
  }
  for (const e of map(featuresEntry?.value)) {
    const feature = readFeature(reader, e, phase);
    if (feature) phase.features.push(feature);
  }
  return phase;
}

/** Reads one feature (from a phase file, or from a lock snapshot wrapped by fromJson). */
export function readFeature(reader: Reader, e: LEntry, phase: Pick<Phase, 'phase' | 'title' | 'draft' | 'file'>): Feature | null {
  if (!reader.identifier(e.key, e.keySpan, 'feature')) return null;
  const node = e.value;
  const envNode = entry(node, 'environments')?.value;
  let environments: Environment[] = ['production', 'staging'];
  if (envNode?.kind === 'seq') {
    const listed = envNode.items.map((i) => str(i)).filter((x): x is Environment => x === 'production' || x === 'staging');
    if (listed.includes('production') && !listed.includes('staging')) {
      reader.diagnostics.push(
        diagnostic(
          'invalid-value',
          envNode.span,
          'staging must receive every migration production does',
          'write `environments: [production, staging]` (the default), or `[staging]` for a staging-only feature',
        ),
      );
    }
    environments = listed.includes('production') ? ['production', 'staging'] : ['staging'];
  }
  const feature: Feature = {
    name: e.key,
    span: e.keySpan,
    phase: phase.phase,
    phaseTitle: phase.title,
    file: phase.file,
    description: str(entry(node, 'description')?.value),
    environments,
    draft: phase.draft,
    tables: [],
    extends: [],
  };
  for (const t of map(entry(node, 'tables')?.value)) {
    const table = readTable(reader, t);
    if (table) {
      if (feature.tables.some((x) => x.name === table.name)) continue;
      feature.tables.push(table);
    }
  }
  for (const x of map(entry(node, 'extend')?.value)) {
    const ext = readExtension(reader, x);
    if (ext) feature.extends.push(ext);
  }
  if (feature.tables.length === 0 && feature.extends.length === 0 && !entry(node, 'tables') && !entry(node, 'extend')) {
    reader.diagnostics.push(
      diagnostic('empty-feature', e.keySpan, `feature \`${e.key}\` creates and extends nothing`, 'add `tables:` or `extend:`, or remove the feature'),
    );
  }
  return feature;
}

function splitTableKey(reader: Reader, e: LEntry, what: string): { schema: string; name: string } | null {
  const parts = e.key.split('.');
  if (parts.length > 2) {
    reader.diagnostics.push(
      diagnostic('invalid-identifier', e.keySpan, `\`${printable(e.key)}\` is not \`table\` or \`schema.table\``, 'write the table as `name` or `schema.name`'),
    );
    return null;
  }
  const [schema, name] = parts.length === 2 ? [parts[0]!, parts[1]!] : [DEFAULT_SCHEMA, e.key];
  if (parts.length === 2 && !reader.identifier(schema, e.keySpan, 'schema')) return null;
  if (!reader.identifier(name, e.keySpan, what)) return null;
  return { schema, name };
}

function readTable(reader: Reader, e: LEntry): Table | null {
  if (e.key.includes('.')) {
    reader.diagnostics.push(
      diagnostic(
        'invalid-identifier',
        e.keySpan,
        `pamc creates tables in schema \`public\`; \`${printable(e.key)}\` names another schema`,
        'write the table name alone; declare tables of other schemas under `existing:`',
      ),
    );
    return null;
  }
  if (!reader.identifier(e.key, e.keySpan, 'table')) return null;
  const node = e.value;
  const table: Table = {
    schema: DEFAULT_SCHEMA,
    name: e.key,
    span: e.keySpan,
    comment: str(entry(node, 'comment')?.value),
    columns: readColumns(reader, entry(node, 'columns')?.value),
    indexes: [],
    rls: null,
  };
  table.indexes = readIndexes(
    reader,
    e.key,
    entry(node, 'indexes')?.value,
    table.columns.map((c) => c.name),
  );
  const rlsEntry = entry(node, 'rls');
  if (!rlsEntry) {
    reader.diagnostics.push(
      diagnostic(
        'missing-rls',
        e.keySpan,
        `table \`${e.key}\` has no row level security: in schema public, anyone with the project's anon key could read and write every row`,
        'add `rls: { owner: user_id, allow: [select, insert] }`, or waive it with `rls: { disabled: true, reason: "..." }`',
      ),
    );
  } else if (rlsEntry.value.kind === 'scalar') {
    reader.diagnostics.push(
      diagnostic(
        'missing-rls',
        rlsEntry.value.span,
        '`rls: false` would leave every row readable and writable with the anon key',
        'if that is really intended, write `rls: { disabled: true, reason: "why" }` so the decision is recorded',
      ),
    );
  } else {
    table.rls = readRls(reader, table, rlsEntry);
  }
  checkTableNames(reader, table);
  return table;
}

function readRls(reader: Reader, table: Table, e: LEntry): OwnerRls | RlsWaiver | null {
  const node = e.value;
  if (entry(node, 'disabled')) return { kind: 'disabled', reason: str(entry(node, 'reason')?.value) ?? '', span: e.keySpan };
  const ownerNode = entry(node, 'owner')!.value;
  const allowNode = entry(node, 'allow')!.value;
  const owner = located(ownerNode);
  const label = str(entry(node, 'label')?.value) ?? defaultLabel(table.name, reader.options.prefix);
  const allow: Located<Operation[]> = { value: allowNode.kind === 'seq' ? allowNode.items.map((i) => str(i) as Operation) : [], span: allowNode.span };
  const column = table.columns.find((c) => c.name === owner.value);
  if (!column) {
    const guess = closest(
      owner.value,
      table.columns.map((c) => c.name),
    );
    reader.diagnostics.push(
      diagnostic(
        'unknown-owner',
        owner.span,
        `owner column \`${owner.value}\` is not a column of \`${table.name}\``,
        guess ? `did you mean \`${guess}\`?` : 'name the column that holds the owning user id',
      ),
    );
  } else {
    checkOwnerColumn(reader, table.name, column, owner.span);
  }
  return { kind: 'owner', owner, allow, label, span: e.keySpan };
}

/** The warnings an owner column earns, and the type it must have. */
export function checkOwnerColumn(reader: { diagnostics: Diagnostic[]; parser: SqlParser }, table: string, column: Column, span: Span): void {
  const type = checkType(reader.parser, column.type.value);
  if ('canonical' in type && type.canonical !== 'uuid') {
    reader.diagnostics.push(
      diagnostic(
        'invalid-type',
        column.type.span,
        `owner column \`${column.name}\` is \`${column.type.value}\`, but auth.uid() returns uuid`,
        'make the owner column `type: uuid`',
      ),
    );
  }
  if (!column.notNull && !column.primaryKey) {
    reader.diagnostics.push(
      diagnostic(
        'nullable-owner',
        span,
        `owner column \`${table}.${column.name}\` may be NULL: a row without an owner is invisible to every user`,
        `add \`not_null: true\` to \`${column.name}\``,
      ),
    );
  }
  if (!column.references) {
    reader.diagnostics.push(
      diagnostic(
        'owner-without-reference',
        span,
        `owner column \`${table}.${column.name}\` does not reference a users table, so any uuid can own a row`,
        `add \`references: auth.users(id)\` to \`${column.name}\``,
      ),
    );
  }
}

/** The noun of policy names: the table name without the project prefix, underscores as spaces. */
export function defaultLabel(table: string, prefix: string): string {
  const bare = prefix && table.startsWith(prefix) && table.length > prefix.length ? table.slice(prefix.length) : table;
  return bare.replace(/_/g, ' ');
}

function readExtension(reader: Reader, e: LEntry): Extension | null {
  const name = splitTableKey(reader, e, 'table');
  if (!name) return null;
  const node = e.value;
  const columns = readColumns(reader, entry(node, 'columns')?.value);
  const allowNode = entry(entry(node, 'rls')?.value, 'allow')?.value;
  const ext: Extension = {
    schema: name.schema,
    name: name.name,
    span: e.keySpan,
    columns,
    indexes: [],
    allow: allowNode ? { value: allowNode.kind === 'seq' ? allowNode.items.map((i) => str(i) as Operation) : [], span: allowNode.span } : null,
  };
  ext.indexes = readIndexes(reader, name.name, entry(node, 'indexes')?.value, null);
  for (const c of columns) checkColumnNames(reader, name.name, c);
  for (const i of ext.indexes) reader.derived(i.name, i.span, 'index name', 'give the index a shorter `name:`');
  return ext;
}

function readColumns(reader: Reader, node: LNode | undefined): Column[] {
  const columns: Column[] = [];
  for (const e of map(node)) {
    if (!reader.identifier(e.key, e.keySpan, 'column')) continue;
    columns.push(readColumn(reader, e));
  }
  return columns;
}

function readColumn(reader: Reader, e: LEntry): Column {
  const node = e.value;
  if (node.kind === 'scalar') {
    const type = located(node);
    checkTypeAt(reader, type);
    return {
      name: e.key,
      span: e.keySpan,
      type,
      primaryKey: false,
      notNull: false,
      unique: false,
      default: null,
      references: null,
      in: null,
      check: null,
      checkColumns: [],
      comment: null,
    };
  }
  const type = located(entry(node, 'type')!.value);
  checkTypeAt(reader, type);
  const defaultNode = entry(node, 'default')?.value;
  let def: Located<string> | null = null;
  if (defaultNode?.kind === 'scalar') {
    const v = defaultNode.value;
    if (typeof v === 'string') {
      def = { value: v.trim(), span: defaultNode.span };
      if (reader.expression(def, 'default')) {
        const refs = columnRefs(reader.parser, def.value);
        if (refs.length) {
          reader.diagnostics.push(
            diagnostic(
              'invalid-expression',
              def.span,
              `the default \`${printable(def.value)}\` names \`${refs[0]}\` as if it were a column; a default cannot refer to columns`,
              `a text literal is written in SQL quotes inside the YAML string: \`default: "'${refs[0]}'"\``,
            ),
          );
        }
      }
    } else def = { value: String(v), span: defaultNode.span };
  }
  const checkNode = entry(node, 'check')?.value;
  let check: Located<string> | null = null;
  let checkColumns: string[] = [];
  if (checkNode) {
    check = located(checkNode);
    if (reader.expression(check, 'check')) checkColumns = columnRefs(reader.parser, check.value);
  }
  const inNode = entry(node, 'in')?.value;
  const inList: Located<Array<string | number>> | null =
    inNode?.kind === 'seq'
      ? {
          value: inNode.items.map((i) => (i.kind === 'scalar' && typeof i.value === 'number' ? i.value : String(i.kind === 'scalar' ? i.value : ''))),
          span: inNode.span,
        }
      : null;
  const refNode = entry(node, 'references')?.value;
  const onDeleteEntry = entry(node, 'on_delete');
  let references: Reference | null = null;
  if (refNode) {
    const m = /^(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)\(([a-z_][a-z0-9_]*)\)$/.exec(str(refNode) ?? '');
    if (m) {
      references = {
        schema: m[1] ?? DEFAULT_SCHEMA,
        table: m[2]!,
        column: m[3]!,
        onDelete: (str(onDeleteEntry?.value) as OnDelete | null) ?? null,
        span: refNode.span,
      };
      for (const part of [m[1], m[2], m[3]]) if (part && byteLength(part) > MAX_IDENTIFIER_BYTES) reader.identifier(part, refNode.span, 'referenced name');
    }
  } else if (onDeleteEntry) {
    reader.diagnostics.push(
      diagnostic('invalid-value', onDeleteEntry.keySpan, '`on_delete` needs `references`', 'add `references: table(column)`, or remove `on_delete`'),
    );
  }
  return {
    name: e.key,
    span: e.keySpan,
    type,
    primaryKey: bool(entry(node, 'primary_key')?.value),
    notNull: bool(entry(node, 'not_null')?.value),
    unique: bool(entry(node, 'unique')?.value),
    default: def,
    references,
    in: inList,
    check,
    checkColumns,
    comment: str(entry(node, 'comment')?.value),
  };
}

function checkTypeAt(reader: Reader, type: Located<string>): void {
  const result = checkType(reader.parser, type.value);
  if ('message' in result)
    reader.diagnostics.push(
      diagnostic('invalid-type', fragmentSpan(type, result.offset), `the type \`${printable(type.value)}\`: ${result.message}`, result.hint),
    );
}

function readIndexes(reader: Reader, table: string, node: LNode | undefined, columns: string[] | null): Index[] {
  if (node?.kind !== 'seq') return [];
  const indexes: Index[] = [];
  for (const item of node.items) {
    const cols = entry(item, 'columns')?.value;
    const names = cols?.kind === 'seq' ? cols.items.map((c) => str(c) ?? '') : [];
    let ok = true;
    for (const [i, name] of names.entries()) {
      const span = cols?.kind === 'seq' ? cols.items[i]!.span : item.span;
      if (!reader.identifier(name, span, 'index column')) ok = false;
      else if (columns && !columns.includes(name)) {
        const guess = closest(name, columns);
        reader.diagnostics.push(
          diagnostic(
            'unknown-reference',
            span,
            `index column \`${name}\` is not a column of \`${table}\``,
            guess ? `did you mean \`${guess}\`?` : 'index a column the table has',
          ),
        );
        ok = false;
      }
    }
    const unique = bool(entry(item, 'unique')?.value);
    const nameEntry = entry(item, 'name');
    const written = str(nameEntry?.value);
    if (written !== null && !reader.identifier(written, nameEntry!.value.span, 'index')) ok = false;
    const whereNode = entry(item, 'where')?.value;
    const where = whereNode ? located(whereNode) : null;
    if (where) reader.expression(where, 'index predicate');
    if (!ok) continue;
    indexes.push({
      name: written ?? `${table}_${names.join('_')}_${unique ? 'key' : 'idx'}`,
      columns: names,
      unique,
      where,
      span: item.span,
      derivedName: written === null,
    });
  }
  return indexes;
}

function checkColumnNames(reader: Reader, table: string, c: Column): void {
  const names = derivedNames(table, c);
  const hint = 'shorten the table or column name';
  for (const [what, name] of names) reader.derived(name, c.span, what, hint);
}

function checkTableNames(reader: Reader, table: Table): void {
  reader.derived(`${table.name}_pkey`, table.span, 'primary key name', 'shorten the table name');
  const constraintNames = new Map<string, Span>();
  for (const c of table.columns) {
    for (const [what, name] of derivedNames(table.name, c)) {
      reader.derived(name, c.span, what, 'shorten the table or column name');
      const clash = constraintNames.get(name);
      if (clash)
        reader.diagnostics.push(
          diagnostic('duplicate-name', c.span, `the ${what} \`${name}\` collides with another constraint of \`${table.name}\``, 'rename one of the columns'),
        );
      constraintNames.set(name, c.span);
    }
  }
  for (const i of table.indexes) reader.derived(i.name, i.span, 'index name', 'give the index a shorter `name:`');
  if (table.rls?.kind === 'owner') {
    reader.derived(`${table.name}_${table.rls.owner.value}_idx`, table.rls.owner.span, 'owner index name', 'shorten the table or owner column name');
    for (const op of table.rls.allow.value) {
      reader.derived(policyName(op, table.rls.label), table.rls.span, 'policy name', 'set a shorter `label:`');
    }
  }
}

export { Reader };
