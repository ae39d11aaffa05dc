/**
 * Spec generators for property tests: random valid pamc specs, and random
 * destructive or additive edits of a spec that was already built.
 *
 * A spec is generated as plain data (GSpec), then rendered to phase files
 * with the YAML library. The generator keeps a model of what exists at each
 * point (tables, their columns, keys and owner rules, in which environment,
 * in a draft phase or not), so that every reference, extension and
 * permission it writes is one pamc must accept:
 *
 * - several phases, in a random order of file names, some of them draft;
 * - tables with columns of many types, defaults, `in` lists, checks,
 *   comments, unique columns, single and composite primary keys, indexes
 *   (unique, partial, named);
 * - references to auth.users, to earlier tables (their primary key or a
 *   unique column, of the same type), to tables declared `existing:`;
 * - owner rules (with and without label), RLS waivers;
 * - `extend:` adding nullable columns or columns with a default, indexes and
 *   permissions, across phases;
 * - staging-only features, which production features never build on.
 *
 * Random choices come from a Draw: fast-check's `gen` in property tests
 * (seeded, reproducible), or a small seeded PRNG elsewhere.
 */
import fc from 'fast-check';
import { stringify } from 'yaml';
import type { SourceFile } from '../../compiler/report/diagnostic.js';
import { isKeyword, quoteIdent } from '../../compiler/sql/ident.js';

/** Draw is a source of random choices. */
export interface Draw {
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
}

/** Draws through fast-check's `gen`, so a property run is reproduced by its seed. */
export function drawFrom(g: fc.GeneratorValue): Draw {
  const int = (min: number, max: number): number => g(fc.integer, { min, max });
  return {
    int,
    chance: (p) => int(0, 999) < Math.round(p * 1000),
    pick: (items) => items[int(0, items.length - 1)]!,
  };
}

/** Draws from a seeded PRNG (mulberry32), for generated projects outside fast-check. */
export function seededDraw(seed: number): Draw {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  return { int, chance: (p) => next() < p, pick: (items) => items[int(0, items.length - 1)]! };
}

export type Op = 'select' | 'insert' | 'update' | 'delete';
export const OPS: readonly Op[] = ['select', 'insert', 'update', 'delete'];
export type OnDelete = 'cascade' | 'restrict' | 'set null' | 'set default' | 'no action';
export const ON_DELETE: readonly OnDelete[] = ['cascade', 'restrict', 'set null', 'set default', 'no action'];

export interface GColumn {
  type: string;
  primary_key?: true;
  not_null?: true;
  unique?: true;
  default?: string | number | boolean;
  references?: string;
  on_delete?: OnDelete;
  in?: Array<string | number>;
  check?: string;
  comment?: string;
}
export interface GIndex {
  columns: string[];
  unique?: true;
  name?: string;
  where?: string;
}
export type GRls = { owner: string; allow: Op[]; label?: string } | { disabled: true; reason: string };
export interface GTable {
  comment?: string;
  columns: Record<string, GColumn>;
  indexes?: GIndex[];
  rls: GRls;
}
export interface GExtension {
  columns?: Record<string, GColumn>;
  indexes?: GIndex[];
  rls?: { allow: Op[] };
}
export interface GFeature {
  description?: string;
  environments?: ['staging'];
  tables?: Record<string, GTable>;
  extend?: Record<string, GExtension>;
}
export interface GPhase {
  /** File name under schema/. */
  file: string;
  phase: number;
  title: string;
  status?: 'draft';
  existing?: Record<string, { columns: Record<string, GColumn> }>;
  features: Record<string, GFeature>;
}
export interface GSpec {
  phases: GPhase[];
}

/** The phase files of a spec, as the CLI would read them (paths `schema/<file>`, sorted). */
export function toSources(spec: GSpec): SourceFile[] {
  return spec.phases.map((p) => ({ path: `schema/${p.file}`, text: renderPhase(p) })).sort((a, b) => (a.path < b.path ? -1 : 1));
}

/** One phase file's YAML. */
export function renderPhase(p: GPhase): string {
  const doc: Record<string, unknown> = { phase: p.phase, title: p.title };
  if (p.status) doc.status = p.status;
  if (p.existing) doc.existing = p.existing;
  doc.features = p.features;
  return stringify(doc, { lineWidth: 0 });
}

/** Every phase file rendered, for failure messages. */
export function describeSpec(spec: GSpec): string {
  return toSources(spec)
    .map((s) => `--- ${s.path}\n${s.text}`)
    .join('');
}

export function cloneSpec(spec: GSpec): GSpec {
  return structuredClone(spec);
}

// ---------------------------------------------------------------------------
// Types, with defaults every check of the type accepts, and `in` values.

interface TypeInfo {
  /** The spellings a spec may use; all have one canonical type. */
  spellings: readonly string[];
  /** A family: types of one family compare and reference each other. */
  family: string;
  defaults: ReadonlyArray<string | number | boolean>;
  checks: ReadonlyArray<(c: string) => string>;
  in?: ReadonlyArray<string | number>;
  /** False for types without a btree operator class (json): no index, no unique. */
  indexable?: false;
  /** False where two rows can hardly differ (boolean): verify's probe rows could not both fit a unique key. */
  unique?: false;
}

export const TYPES: readonly TypeInfo[] = [
  {
    spellings: ['text'],
    family: 'text',
    defaults: ["'x'", "'pending'", "''"],
    checks: [(c) => `length(${c}) <= 200`, (c) => `${c} <> 'forbidden'`],
    in: ['', 'x', 'pending', 'done'],
  },
  { spellings: ['varchar(40)', 'character varying(40)'], family: 'varchar40', defaults: ["'v'"], checks: [(c) => `char_length(${c}) <= 40`], in: ['v', 'w'] },
  {
    spellings: ['integer', 'int', 'int4'],
    family: 'int4',
    defaults: [0, 1, 42],
    checks: [(c) => `${c} >= 0`, (c) => `${c} BETWEEN 0 AND 1000`],
    in: [0, 1, 42],
  },
  { spellings: ['bigint', 'int8'], family: 'int8', defaults: [0, 7], checks: [(c) => `${c} > -1`] },
  { spellings: ['smallint', 'int2'], family: 'int2', defaults: [1], checks: [(c) => `${c} < 100`], in: [1, 2, 3] },
  { spellings: ['numeric(12,2)'], family: 'numeric12', defaults: [0, '0.50'], checks: [(c) => `${c} >= 0`] },
  { spellings: ['numeric'], family: 'numeric', defaults: [0], checks: [(c) => `${c} >= 0`] },
  { spellings: ['double precision', 'float8'], family: 'float8', defaults: [0], checks: [(c) => `${c} >= 0`] },
  { spellings: ['real', 'float4'], family: 'float4', defaults: [1], checks: [] },
  { spellings: ['boolean', 'bool'], family: 'bool', defaults: [true, false], checks: [], unique: false },
  { spellings: ['date'], family: 'date', defaults: ['current_date'], checks: [(c) => `${c} > '2000-01-01'`] },
  { spellings: ['timestamptz', 'timestamp with time zone'], family: 'timestamptz', defaults: ['now()'], checks: [(c) => `${c} > '2000-01-01'::timestamptz`] },
  { spellings: ['timestamp', 'timestamp without time zone'], family: 'timestamp', defaults: ['now()', "'2020-01-01 00:00'"], checks: [] },
  { spellings: ['time'], family: 'time', defaults: ["'12:00'"], checks: [] },
  { spellings: ['interval'], family: 'interval', defaults: ["'1 day'"], checks: [(c) => `${c} >= interval '0'`] },
  { spellings: ['jsonb'], family: 'jsonb', defaults: ["'{}'::jsonb", "'{}'"], checks: [(c) => `jsonb_typeof(${c}) = 'object'`] },
  { spellings: ['json'], family: 'json', defaults: ["'[]'"], checks: [], indexable: false },
  { spellings: ['uuid'], family: 'uuid', defaults: ['gen_random_uuid()'], checks: [] },
  { spellings: ['text[]'], family: 'text[]', defaults: ["'{}'", "'{}'::text[]"], checks: [(c) => `cardinality(${c}) <= 10`] },
  { spellings: ['integer[]', 'int4[]'], family: 'int4[]', defaults: ["'{}'"], checks: [] },
  { spellings: ['bytea'], family: 'bytea', defaults: ["E'\\\\x00'::bytea", "decode('00', 'hex')"], checks: [] },
  { spellings: ['inet'], family: 'inet', defaults: ["'127.0.0.1'"], checks: [] },
];

export function typeFamily(type: string): string | null {
  return TYPES.find((t) => t.spellings.includes(type))?.family ?? null;
}

function indexable(type: string): boolean {
  return TYPES.find((t) => t.spellings.includes(type))?.indexable !== false;
}

function uniqueable(type: string): boolean {
  const t = TYPES.find((x) => x.spellings.includes(type));
  return t?.indexable !== false && t?.unique !== false;
}

/** Words for table and column names; a few are SQL keywords pamc must quote. */
const TABLE_WORDS = ['notes', 'trips', 'items', 'orders', 'events', 'budgets', 'stops', 'receipts', 'alerts', 'tags', 'user', 'order', 'group'];
const COLUMN_WORDS = [
  'title',
  'body',
  'amount',
  'total',
  'status',
  'kind',
  'meta',
  'note',
  'day',
  'at',
  'starts',
  'ends',
  'score',
  'end',
  'limit',
  'position',
  'value',
  'from',
];
const PHASE_WORDS = ['core', 'wheels', 'wins', 'safety', 'context', 'insights', 'testing', 'billing'];

// ---------------------------------------------------------------------------
// The generator's model of what exists.

type Scope = { draft: boolean; staging: boolean };

interface ColumnInfo {
  name: string;
  type: string;
  family: string | null;
  /** Created with the table (visible wherever the table is). */
  original: boolean;
  key: boolean;
}

interface TableInfo {
  key: string;
  schema: string;
  name: string;
  scope: Scope;
  phase: number;
  existing: boolean;
  columns: ColumnInfo[];
  owner: string | null;
  ops: Set<Op>;
  /** Relation and constraint names this table occupies. */
  names: Set<string>;
}

/** Options of the spec generator. */
export interface GenOptions {
  maxPhases?: number;
  maxFeatures?: number;
  maxTables?: number;
  /** Probability that a phase is a draft. */
  draft?: number;
}

class World {
  readonly tables: TableInfo[] = [];
  /** Relation names taken in each schema (tables, keys, indexes). */
  readonly relations = new Set<string>();
  readonly featureNames = new Set<string>();
  private counter = 0;
  constructor(readonly d: Draw) {}

  next(): number {
    return ++this.counter;
  }

  /** Tables a feature of `scope` in `phase` may reference or extend. */
  visible(scope: Scope, phase: number): TableInfo[] {
    return this.tables.filter((t) => {
      if (t.existing) return t.phase <= phase;
      if (t.scope.draft && !scope.draft) return false;
      if (t.scope.staging && !scope.staging && !scope.draft) return false;
      return true;
    });
  }

  claim(schema: string, name: string): boolean {
    const key = `${schema}.${name}`;
    if (this.relations.has(key)) return false;
    this.relations.add(key);
    return true;
  }

  tableName(): string {
    return `t${this.next()}_${this.d.pick(TABLE_WORDS)}`;
  }

  columnName(taken: ReadonlySet<string>): string {
    for (;;) {
      const word = this.d.pick(COLUMN_WORDS);
      const name = this.d.chance(0.3) && !taken.has(word) ? word : `${word}_${this.next()}`;
      if (!taken.has(name)) return name;
    }
  }
}

function quoted(name: string): string {
  return quoteIdent(name);
}

/** A plain column of a random type, with random extras. */
function plainColumn(w: World, name: string, opts: { mayBeRequired: boolean }): GColumn {
  const d = w.d;
  const t = d.pick(TYPES);
  const col: GColumn = { type: d.pick(t.spellings) };
  if (d.chance(0.35)) col.default = d.pick(t.defaults);
  if (opts.mayBeRequired && d.chance(0.2)) col.not_null = true;
  else if (!opts.mayBeRequired && d.chance(0.15) && col.default !== undefined) col.not_null = true;
  if (t.in && d.chance(0.15)) {
    const values = [...new Set(Array.from({ length: d.int(1, 3) }, () => d.pick(t.in!)))];
    col.in = values;
    // A default must be one of the allowed values.
    if (col.default !== undefined) {
      const v = d.pick(values);
      col.default = typeof v === 'number' ? v : `'${v}'`;
    }
  }
  if (t.checks.length && d.chance(0.2)) col.check = d.pick(t.checks)(quoted(name));
  if (d.chance(0.1)) col.comment = d.pick(["The user's own words.", 'Set by the app; "never" by hand.', 'Kept for reports.']);
  return col;
}

function info(name: string, col: GColumn, original: boolean): ColumnInfo {
  return { name, type: col.type, family: typeFamily(col.type), original, key: !!col.primary_key || !!col.unique };
}

/** A reference to a key column of a visible table of the same family, or to auth.users. */
function referenceTo(w: World, from: readonly TableInfo[], family: string | null): { target: string; table: TableInfo | null } | null {
  const d = w.d;
  const candidates: Array<{ target: string; table: TableInfo }> = [];
  for (const t of from) {
    for (const c of t.columns.filter((x) => x.key && x.original)) {
      if (c.family === null || c.family !== family) continue;
      candidates.push({ target: `${t.schema === 'public' ? '' : `${t.schema}.`}${t.name}(${c.name})`, table: t });
    }
  }
  if (family === 'uuid' && (candidates.length === 0 || d.chance(0.4))) return { target: 'auth.users(id)', table: null };
  if (candidates.length === 0) return null;
  return d.pick(candidates);
}

function newTable(w: World, scope: Scope, phase: number, featureTables: TableInfo[]): { name: string; table: GTable; info: TableInfo } {
  const d = w.d;
  let name = w.tableName();
  while (!w.claim('public', name)) name = w.tableName();
  const columns: Record<string, GColumn> = {};
  const infos: ColumnInfo[] = [];
  const taken = new Set<string>();
  const add = (n: string, c: GColumn, original = true): void => {
    columns[n] = c;
    taken.add(n);
    infos.push(info(n, c, original));
  };
  const tinfo: TableInfo = {
    key: `public.${name}`,
    schema: 'public',
    name,
    scope,
    phase,
    existing: false,
    columns: infos,
    owner: null,
    ops: new Set(),
    names: new Set([name]),
  };

  // Primary key: a uuid id (usually), a bigint id, the owner itself, or a composite key.
  const pkKind = d.pick(['uuid', 'uuid', 'uuid', 'bigint', 'owner', 'composite', 'none'] as const);
  let owner: string | null = null;
  const ownerCol = (): GColumn => {
    const c: GColumn = { type: 'uuid' };
    if (d.chance(0.85)) c.not_null = true;
    if (d.chance(0.9)) {
      c.references = 'auth.users(id)';
      if (d.chance(0.8)) c.on_delete = d.pick(['cascade', 'cascade', 'restrict', 'no action'] as const);
    }
    return c;
  };
  if (pkKind === 'uuid') add('id', { type: 'uuid', primary_key: true, default: 'gen_random_uuid()' });
  else if (pkKind === 'bigint') add('id', { type: d.pick(['bigint', 'int8']), primary_key: true });
  else if (pkKind === 'owner') {
    owner = 'id';
    add('id', { ...ownerCol(), primary_key: true });
  }
  const ownerName = owner ?? (d.chance(0.8) ? 'user_id' : d.pick(['owner_id', 'author_id', 'user']));
  const wantsOwner = owner !== null || d.chance(0.85);
  if (wantsOwner && owner === null) {
    owner = ownerName;
    add(ownerName, ownerCol());
  }
  if (pkKind === 'composite') {
    const second = w.columnName(taken);
    const t = d.pick(TYPES.filter((x) => ['int4', 'date', 'text'].includes(x.family)));
    if (owner) columns[owner]!.primary_key = true;
    else add(w.columnName(taken), { type: 'uuid', primary_key: true });
    add(second, { type: d.pick(t.spellings), primary_key: true });
    // Part of a composite key: nothing can reference it alone.
    for (const c of infos) if (columns[c.name]!.primary_key) c.key = !!columns[c.name]!.unique;
  }

  // Other columns.
  const extra = d.int(1, 5);
  for (let i = 0; i < extra; i++) {
    const n = w.columnName(taken);
    const c = plainColumn(w, n, { mayBeRequired: true });
    if (d.chance(0.15) && uniqueable(c.type) && !c.in) {
      c.unique = true;
      if (!w.claim('public', `${name}_${n}_key`)) delete c.unique;
    }
    add(n, c);
  }
  // References to earlier tables (or to one created earlier in this feature).
  if (d.chance(0.5)) {
    const pool = [...w.visible(scope, phase), ...featureTables];
    const family = d.chance(0.7) ? 'uuid' : d.pick(['int8', 'text', 'int4']);
    const ref = referenceTo(w, pool, family);
    if (ref) {
      const n = w.columnName(taken);
      const type = family === 'uuid' ? 'uuid' : d.pick(TYPES.find((t) => t.family === family)!.spellings);
      const c: GColumn = { type, references: ref.target };
      if (d.chance(0.6)) c.on_delete = d.pick(['cascade', 'restrict', 'set null', 'no action'] as const);
      if (d.chance(0.2) && c.on_delete !== 'set null') c.not_null = true;
      add(n, c);
    }
  }
  // Composite key on nothing left: a single-column PK is needed for nothing else, keys are optional.

  // Indexes on one or two columns; unique ones claim their names.
  const indexes: GIndex[] = [];
  const used = new Set<string>();
  const names = Object.keys(columns).filter((n) => indexable(columns[n]!.type));
  for (let i = names.length ? d.int(0, 2) : 0; i > 0; i--) {
    const cols = d.chance(0.6) || names.length < 2 ? [d.pick(names)] : [...new Set([d.pick(names), d.pick(names)])];
    const k = cols.join(',');
    if (used.has(k)) continue;
    const idx: GIndex = { columns: cols };
    // Not over an `in` list: one allowed value and a unique key leave room for one row, and verify's probes need two.
    if (d.chance(0.25) && cols.every((c) => uniqueable(columns[c]!.type) && !columns[c]!.in)) idx.unique = true;
    if (d.chance(0.25)) idx.where = `${quoted(cols[0]!)} IS NOT NULL`;
    if (idx.where || d.chance(0.2)) idx.name = `${name}_ix${w.next()}`;
    const derived = idx.name ?? `${name}_${cols.join('_')}_${idx.unique ? 'key' : 'idx'}`;
    if (!w.claim('public', derived)) continue;
    used.add(k);
    indexes.push(idx);
  }

  // Row level security: an owner rule (mostly), or a waiver.
  let rls: GRls;
  if (owner) {
    const allow = OPS.filter(() => d.chance(0.5));
    if (allow.length === 0) allow.push(d.pick(OPS));
    rls = { owner, allow };
    if (d.chance(0.2)) rls.label = d.pick(['entries', 'private notes', 'trip stops', 'rows']);
    tinfo.owner = owner;
    for (const op of allow) tinfo.ops.add(op);
    const hasOwnIndex =
      (Object.entries(columns).filter(([, c]) => c.primary_key).length === 1 && columns[owner]?.primary_key) ||
      columns[owner]?.unique ||
      indexes.some((i) => i.columns[0] === owner && !i.where);
    if (!hasOwnIndex && !w.claim('public', `${name}_${owner}_idx`)) {
      // Another relation took the owner index's name: give that table's owner rule up instead.
      rls = { disabled: true, reason: 'generated: owner index name taken' };
      tinfo.owner = null;
      tinfo.ops.clear();
    }
  } else {
    rls = { disabled: true, reason: d.pick(['Public reference data.', 'Read only through a server function.']) };
  }
  if (Object.values(columns).some((c) => c.primary_key)) w.claim('public', `${name}_pkey`);
  const table: GTable = { columns, rls };
  if (indexes.length) table.indexes = indexes;
  if (d.chance(0.15)) table.comment = d.pick(['Rows of one user.', "Pam's working set; it's private."]);
  w.tables.push(tinfo);
  return { name, table, info: tinfo };
}

/** An extension of a visible table: new columns (nullable, or with a default), an index, permissions. */
function newExtension(w: World, t: TableInfo, scope: Scope): GExtension | null {
  const d = w.d;
  const ext: GExtension = {};
  const taken = new Set(t.columns.map((c) => c.name));
  const added: string[] = [];
  if (d.chance(0.8) || !t.owner) {
    const columns: Record<string, GColumn> = {};
    for (let i = d.int(1, 2); i > 0; i--) {
      const n = w.columnName(taken);
      taken.add(n);
      let c: GColumn;
      if (d.chance(0.2)) {
        const ref = referenceTo(
          w,
          w.visible(scope, Number.MAX_SAFE_INTEGER).filter((x) => x !== t && !x.existing),
          'uuid',
        );
        c = { type: 'uuid', references: ref?.target ?? 'auth.users(id)' };
        if (d.chance(0.5)) c.on_delete = d.pick(['cascade', 'set null', 'no action'] as const);
      } else c = plainColumn(w, n, { mayBeRequired: false });
      if (d.chance(0.1) && !t.existing && uniqueable(c.type) && !c.in) {
        c.unique = true;
        if (!w.claim(t.schema, `${t.name}_${n}_key`)) delete c.unique;
      }
      columns[n] = c;
      added.push(n);
      t.columns.push({ ...info(n, c, false), key: false });
    }
    ext.columns = columns;
  }
  const originals = t.columns.filter((c) => c.original && indexable(c.type)).map((c) => c.name);
  const addedIndexable = added.filter((n) => indexable(ext.columns![n]!.type));
  if (d.chance(0.3) && (originals.length || addedIndexable.length)) {
    const cols = addedIndexable.length && (d.chance(0.6) || !originals.length) ? [d.pick(addedIndexable)] : [d.pick(originals)];
    const idx: GIndex = { columns: cols, name: `${t.name}_x${w.next()}` };
    if (addedIndexable.includes(cols[0]!) && uniqueable(ext.columns![cols[0]!]!.type) && !ext.columns![cols[0]!]!.in && d.chance(0.3)) idx.unique = true;
    if (w.claim(t.schema, idx.name!)) ext.indexes = [idx];
  }
  if (t.owner && t.ops.size < 4 && (d.chance(0.4) || (!ext.columns && !ext.indexes))) {
    const missing = OPS.filter((op) => !t.ops.has(op));
    const allow = missing.filter(() => d.chance(0.5));
    if (allow.length === 0) allow.push(d.pick(missing));
    for (const op of allow) t.ops.add(op);
    ext.rls = { allow };
  }
  if (!ext.columns && !ext.indexes && !ext.rls) return null;
  return ext;
}

function existingTables(w: World, phase: number): GPhase['existing'] {
  const d = w.d;
  const out: NonNullable<GPhase['existing']> = {};
  for (let i = d.int(1, 2); i > 0; i--) {
    const schema = d.chance(0.5) ? 'public' : 'extras';
    const name = `x${w.next()}_${d.pick(['profiles', 'accounts', 'vehicles'])}`;
    if (!w.claim(schema, name)) continue;
    const idType = d.pick(['uuid', 'bigint']);
    const columns: Record<string, GColumn> = { id: { type: idType, primary_key: true }, label: { type: 'text' } };
    if (d.chance(0.5)) columns.code = { type: 'text', unique: true };
    out[schema === 'public' ? name : `${schema}.${name}`] = { columns };
    w.tables.push({
      key: `${schema}.${name}`,
      schema,
      name,
      scope: { draft: false, staging: false },
      phase,
      existing: true,
      columns: Object.entries(columns).map(([n, c]) => info(n, c, true)),
      owner: null,
      ops: new Set(),
      names: new Set([name]),
    });
  }
  return out;
}

/** A random valid spec. */
export function genSpec(d: Draw, opts: GenOptions = {}): GSpec {
  const w = new World(d);
  const phases: GPhase[] = [];
  const phaseCount = d.int(1, opts.maxPhases ?? 4);
  let number = d.int(0, 3);
  const files = new Set<string>();
  for (let p = 0; p < phaseCount; p++) {
    number += d.int(1, 3);
    const draft = d.chance(opts.draft ?? 0.12);
    let file = `${d.pick(PHASE_WORDS)}-${number}.yaml`;
    if (d.chance(0.3)) file = `${String.fromCharCode(97 + d.int(0, 25))}-${file}`;
    while (files.has(file)) file = `z-${file}`;
    files.add(file);
    const phase: GPhase = { file, phase: number, title: `Phase ${number}: ${d.pick(PHASE_WORDS)}`, features: {} };
    if (draft) phase.status = 'draft';
    if (d.chance(0.25)) phase.existing = existingTables(w, number);
    const featureCount = d.int(1, opts.maxFeatures ?? 3);
    for (let f = 0; f < featureCount; f++) {
      const staging = d.chance(0.15);
      const scope: Scope = { draft, staging };
      let fname = `f${w.next()}_${d.pick(TABLE_WORDS.filter((x) => !isKeyword(x)))}`;
      while (w.featureNames.has(fname)) fname = `${fname}_b`;
      w.featureNames.add(fname);
      const feature: GFeature = {};
      if (d.chance(0.4)) feature.description = d.pick(['What the user saved.', 'Line one.\nLine two, with a "quote".', "Pam's notes; it's fine."]);
      if (staging) feature.environments = ['staging'];
      // Tables first (they may reference each other), then extensions of earlier tables.
      const created: TableInfo[] = [];
      const tables: Record<string, GTable> = {};
      const visibleBefore = w.visible(scope, number);
      for (let t = d.int(visibleBefore.length ? 0 : 1, opts.maxTables ?? 2); t > 0; t--) {
        const made = newTable(w, scope, number, created);
        tables[made.name] = made.table;
        created.push(made.info);
      }
      if (Object.keys(tables).length) feature.tables = tables;
      const extendable = visibleBefore.filter((t) => !created.includes(t));
      if (extendable.length && (d.chance(0.35) || !feature.tables)) {
        const extend: Record<string, GExtension> = {};
        for (let x = d.int(1, 2); x > 0; x--) {
          const t = d.pick(extendable);
          const key = t.schema === 'public' ? t.name : `${t.schema}.${t.name}`;
          if (extend[key]) continue;
          const ext = newExtension(w, t, scope);
          if (ext) extend[key] = ext;
        }
        if (Object.keys(extend).length) feature.extend = extend;
      }
      if (!feature.tables && !feature.extend) {
        const made = newTable(w, scope, number, created);
        feature.tables = { [made.name]: made.table };
      }
      phase.features[fname] = feature;
    }
    phases.push(phase);
  }
  return { phases };
}

// ---------------------------------------------------------------------------
// Edits of a built spec.

/** A destructive edit and the rule that must refuse it. */
export interface Mutation {
  kind: string;
  rule: string;
  what: string;
}

interface ColumnRef {
  phase: GPhase;
  featureName: string;
  feature: GFeature;
  tableKey: string;
  columns: Record<string, GColumn>;
  name: string;
  col: GColumn;
  /** The table (created by the feature), or null for a column an extension added. */
  table: GTable | null;
}

function readyFeatures(spec: GSpec): Array<{ phase: GPhase; name: string; feature: GFeature }> {
  return spec.phases.filter((p) => p.status !== 'draft').flatMap((p) => Object.entries(p.features).map(([name, feature]) => ({ phase: p, name, feature })));
}

function emittedColumns(spec: GSpec): ColumnRef[] {
  const out: ColumnRef[] = [];
  for (const { phase, name, feature } of readyFeatures(spec)) {
    for (const [tk, t] of Object.entries(feature.tables ?? {}))
      for (const [cn, col] of Object.entries(t.columns))
        out.push({ phase, featureName: name, feature, tableKey: tk, columns: t.columns, name: cn, col, table: t });
    for (const [tk, x] of Object.entries(feature.extend ?? {}))
      for (const [cn, col] of Object.entries(x.columns ?? {}))
        out.push({ phase, featureName: name, feature, tableKey: tk, columns: x.columns!, name: cn, col, table: null });
  }
  return out;
}

function renameKey<T>(record: Record<string, T>, from: string, to: string): Record<string, T> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k === from ? to : k, v]));
}

/** The mutation kinds `mutate` knows, in a fixed order. */
export const MUTATIONS = [
  'drop-column',
  'drop-table',
  'drop-feature',
  'drop-phase',
  'rename-column',
  'rename-table',
  'retype-column',
  'toggle-not-null',
  'change-default',
  'drop-default',
  'change-on-delete',
  'drop-reference',
  'drop-check',
  'change-check',
  'drop-in',
  'change-in',
  'drop-primary-key',
  'drop-unique',
  'narrow-allow',
  'change-owner',
  'waive-rls',
  'reorder-features',
] as const;
export type MutationKind = (typeof MUTATIONS)[number];

/**
 * Applies one destructive edit of `kind` to a ready (so already emitted)
 * part of `spec`, in place. Returns null when the spec has nothing the edit
 * applies to. `canon` tells whether two type spellings are the same type.
 */
export function mutate(spec: GSpec, kind: MutationKind, d: Draw, canon: (type: string) => string): Mutation | null {
  const columns = emittedColumns(spec);
  const features = readyFeatures(spec);
  const pickOr = <T>(items: T[]): T | null => (items.length ? d.pick(items) : null);
  switch (kind) {
    case 'drop-column': {
      const c = pickOr(columns.filter((x) => Object.keys(x.columns).length > 1));
      if (!c) return null;
      delete c.columns[c.name];
      return { kind, rule: 'drop-column', what: `drop ${c.tableKey}.${c.name}` };
    }
    case 'drop-table': {
      const f = pickOr(features.filter((x) => Object.keys(x.feature.tables ?? {}).length > 0));
      if (!f) return null;
      const name = d.pick(Object.keys(f.feature.tables!));
      delete f.feature.tables![name];
      return { kind, rule: 'drop-table', what: `drop table ${name}` };
    }
    case 'drop-feature': {
      const f = pickOr(features);
      if (!f) return null;
      delete f.phase.features[f.name];
      return { kind, rule: 'drop-feature', what: `drop feature ${f.name}` };
    }
    case 'drop-phase': {
      const p = pickOr(spec.phases.filter((x) => x.status !== 'draft' && Object.keys(x.features).length > 0));
      if (!p) return null;
      spec.phases = spec.phases.filter((x) => x !== p);
      return { kind, rule: 'drop-phase', what: `drop phase ${p.phase}` };
    }
    case 'rename-column': {
      const c = pickOr(columns);
      if (!c) return null;
      const to = `${c.name}_renamed`;
      const renamed = renameKey(c.columns, c.name, to);
      for (const k of Object.keys(c.columns)) delete c.columns[k];
      Object.assign(c.columns, renamed);
      return { kind, rule: 'rename-column', what: `rename ${c.tableKey}.${c.name} to ${to}` };
    }
    case 'rename-table': {
      // A table no later feature extends: otherwise the renamed table lacks the added columns and reads as dropped.
      const extended = new Set(spec.phases.flatMap((p) => Object.values(p.features).flatMap((f) => Object.keys(f.extend ?? {}))));
      const f = pickOr(features.filter((x) => Object.keys(x.feature.tables ?? {}).some((n) => !extended.has(n))));
      if (!f) return null;
      const name = d.pick(Object.keys(f.feature.tables!).filter((n) => !extended.has(n)));
      f.feature.tables = renameKey(f.feature.tables!, name, `${name}_renamed`);
      return { kind, rule: 'rename-table', what: `rename table ${name}` };
    }
    case 'retype-column': {
      const c = pickOr(columns);
      if (!c) return null;
      const others = TYPES.flatMap((t) => t.spellings).filter((s) => canon(s) !== canon(c.col.type));
      const to = d.pick(others);
      const from = c.col.type;
      c.col.type = to;
      return { kind, rule: 'retype-column', what: `retype ${c.tableKey}.${c.name} from ${from} to ${to}` };
    }
    case 'toggle-not-null': {
      const c = pickOr(columns);
      if (!c) return null;
      if (c.col.not_null) delete c.col.not_null;
      else c.col.not_null = true;
      return { kind, rule: 'change-nullability', what: `toggle not_null of ${c.tableKey}.${c.name}` };
    }
    case 'change-default': {
      const c = pickOr(columns);
      if (!c) return null;
      const before = c.col.default;
      const options = ["'changed'", 99, 'now()', 'gen_random_uuid()', true].filter((v) => String(v) !== String(before));
      c.col.default = d.pick(options);
      return { kind, rule: 'change-default', what: `default of ${c.tableKey}.${c.name} from ${String(before)} to ${String(c.col.default)}` };
    }
    case 'drop-default': {
      const c = pickOr(columns.filter((x) => x.col.default !== undefined));
      if (!c) return null;
      delete c.col.default;
      return { kind, rule: 'change-default', what: `drop default of ${c.tableKey}.${c.name}` };
    }
    case 'change-on-delete': {
      const c = pickOr(columns.filter((x) => x.col.references));
      if (!c) return null;
      const before = c.col.on_delete;
      const to = d.pick(ON_DELETE.filter((x) => x !== before));
      c.col.on_delete = to;
      return { kind, rule: 'change-reference', what: `on_delete of ${c.tableKey}.${c.name} from ${before ?? '(none)'} to ${to}` };
    }
    case 'drop-reference': {
      const c = pickOr(columns.filter((x) => x.col.references));
      if (!c) return null;
      delete c.col.references;
      delete c.col.on_delete;
      return { kind, rule: 'change-reference', what: `drop the reference of ${c.tableKey}.${c.name}` };
    }
    case 'drop-check': {
      const c = pickOr(columns.filter((x) => x.col.check));
      if (!c) return null;
      delete c.col.check;
      return { kind, rule: 'drop-check', what: `drop the check of ${c.tableKey}.${c.name}` };
    }
    case 'change-check': {
      const c = pickOr(columns.filter((x) => x.col.check));
      if (!c) return null;
      c.col.check = `(${c.col.check}) AND true`;
      return { kind, rule: 'change-check', what: `change the check of ${c.tableKey}.${c.name}` };
    }
    case 'drop-in': {
      const c = pickOr(columns.filter((x) => x.col.in));
      if (!c) return null;
      delete c.col.in;
      return { kind, rule: 'drop-check', what: `drop the in list of ${c.tableKey}.${c.name}` };
    }
    case 'change-in': {
      const c = pickOr(columns.filter((x) => x.col.in));
      if (!c) return null;
      const first = c.col.in![0]!;
      c.col.in = [...c.col.in!, typeof first === 'number' ? 12345 : 'added'];
      return { kind, rule: 'change-check', what: `widen the in list of ${c.tableKey}.${c.name}` };
    }
    case 'drop-primary-key': {
      const c = pickOr(columns.filter((x) => x.col.primary_key));
      if (!c) return null;
      delete c.col.primary_key;
      return { kind, rule: 'drop-primary-key', what: `drop the primary key of ${c.tableKey}.${c.name}` };
    }
    case 'drop-unique': {
      const c = pickOr(columns.filter((x) => x.col.unique));
      if (!c) return null;
      delete c.col.unique;
      return { kind, rule: 'drop-unique', what: `drop unique of ${c.tableKey}.${c.name}` };
    }
    case 'narrow-allow': {
      const owners: Array<{ allow: Op[]; set: (ops: Op[] | null) => void; where: string }> = [];
      for (const { feature } of features) {
        for (const [tk, t] of Object.entries(feature.tables ?? {})) {
          const rls = t.rls;
          if ('owner' in rls && rls.allow.length > 1) owners.push({ allow: rls.allow, set: (ops) => (rls.allow = ops!), where: tk });
        }
        for (const [tk, x] of Object.entries(feature.extend ?? {})) {
          if (!x.rls) continue;
          const ext = x;
          owners.push({ allow: ext.rls!.allow, set: (ops) => (ops ? (ext.rls!.allow = ops) : delete ext.rls), where: `extend ${tk}` });
        }
      }
      const o = pickOr(owners);
      if (!o) return null;
      const drop = d.pick(o.allow);
      const rest = o.allow.filter((x) => x !== drop);
      o.set(rest.length ? rest : null);
      return { kind, rule: 'narrow-allow', what: `remove ${drop} from ${o.where}` };
    }
    case 'change-owner': {
      const tables = features.flatMap(({ feature }) => Object.entries(feature.tables ?? {})).filter(([, t]) => 'owner' in t.rls);
      const picked = pickOr(tables);
      if (!picked) return null;
      const [tk, t] = picked;
      const rls = t.rls as { owner: string; allow: Op[] };
      const uuids = Object.entries(t.columns)
        .filter(([n, c]) => n !== rls.owner && c.type === 'uuid')
        .map(([n]) => n);
      const to = uuids.length ? d.pick(uuids) : 'someone_else';
      const before = rls.owner;
      rls.owner = to;
      return { kind, rule: 'change-owner', what: `owner of ${tk} from ${before} to ${to}` };
    }
    case 'waive-rls': {
      const tables = features.flatMap(({ feature }) => Object.entries(feature.tables ?? {})).filter(([, t]) => 'owner' in t.rls);
      const picked = pickOr(tables);
      if (!picked) return null;
      picked[1].rls = { disabled: true, reason: 'faster without' };
      return { kind, rule: 'disable-rls', what: `waive RLS of ${picked[0]}` };
    }
    case 'reorder-features': {
      const p = pickOr(spec.phases.filter((x) => x.status !== 'draft' && Object.keys(x.features).length > 1));
      if (!p) return null;
      const names = Object.keys(p.features);
      const i = d.int(0, names.length - 2);
      const order = [...names];
      [order[i], order[i + 1]] = [order[i + 1]!, order[i]!];
      p.features = Object.fromEntries(order.map((n) => [n, p.features[n]!]));
      return { kind, rule: 'reorder-features', what: `swap ${names[i]} and ${names[i + 1]} in phase ${p.phase}` };
    }
  }
}

/** An additive edit: a new phase after every other, with one feature. */
export interface Addition {
  kind: 'new-table' | 'add-column' | 'add-permission';
  what: string;
  feature: string;
  staging: boolean;
}

/**
 * Adds, in a new last phase, one feature that only adds: a new table, a
 * nullable column or a column with a default on a shipped table, or a
 * permission on a shipped owner rule. Returns null when nothing fits.
 */
export function addFeature(spec: GSpec, kind: Addition['kind'], d: Draw): Addition | null {
  const ready = readyFeatures(spec);
  const last = Math.max(0, ...spec.phases.map((p) => p.phase));
  const number = last + 1;
  const name = `added_${kind.replace(/-/g, '_')}`;
  const phase: GPhase = { file: `added-${number}.yaml`, phase: number, title: 'Added later', features: {} };
  // Shipped tables: created by ready features; staging-only ones only for a staging-only addition.
  const shipped = ready.flatMap(({ feature }) =>
    Object.entries(feature.tables ?? {}).map(([tn, t]) => ({ tn, t, staging: feature.environments?.[0] === 'staging' })),
  );
  const relations = new Set<string>();
  for (const p of spec.phases)
    for (const f of Object.values(p.features))
      for (const [tn, t] of Object.entries(f.tables ?? {})) {
        relations.add(tn);
        for (const i of t.indexes ?? []) if (i.name) relations.add(i.name);
      }
  let addition: Addition;
  switch (kind) {
    case 'new-table': {
      let tn = 'added_table';
      while (relations.has(tn)) tn = `${tn}_b`;
      const target = pickShipped(
        shipped.filter((s) => !s.staging && s.t.columns.id?.primary_key && Object.values(s.t.columns).filter((c) => c.primary_key).length === 1),
        d,
      );
      const columns: Record<string, GColumn> = {
        id: { type: 'uuid', primary_key: true, default: 'gen_random_uuid()' },
        user_id: { type: 'uuid', not_null: true, references: 'auth.users(id)', on_delete: 'cascade' },
        note: { type: 'text', default: "'n'" },
      };
      if (target) columns.parent_id = { type: target.t.columns.id!.type, references: `${target.tn}(id)`, on_delete: 'cascade' };
      phase.features[name] = { tables: { [tn]: { columns, rls: { owner: 'user_id', allow: ['select', 'insert'] } } } };
      addition = { kind, what: `new table ${tn}${target ? ` referencing ${target.tn}` : ''}`, feature: name, staging: false };
      break;
    }
    case 'add-column': {
      const s = pickShipped(shipped, d);
      if (!s) return null;
      const col: GColumn = d.chance(0.5) ? { type: 'text' } : { type: 'integer', not_null: true, default: 0 };
      phase.features[name] = { extend: { [s.tn]: { columns: { added_col: col } } } };
      if (s.staging) phase.features[name]!.environments = ['staging'];
      addition = { kind, what: `column added_col on ${s.tn}`, feature: name, staging: s.staging };
      break;
    }
    case 'add-permission': {
      // What is allowed already: the table's own allow plus every extension's.
      const candidates = shipped.flatMap((s) => {
        if (!('owner' in s.t.rls)) return [];
        const allowed = new Set<Op>(s.t.rls.allow);
        for (const p of spec.phases)
          for (const f of Object.values(p.features))
            for (const [k, x] of Object.entries(f.extend ?? {})) if (k === s.tn) for (const op of x.rls?.allow ?? []) allowed.add(op);
        const missing = OPS.filter((op) => !allowed.has(op));
        return missing.length ? [{ ...s, missing }] : [];
      });
      const s = candidates.length ? d.pick(candidates) : null;
      if (!s) return null;
      const op = d.pick(s.missing);
      phase.features[name] = { extend: { [s.tn]: { rls: { allow: [op] } } } };
      if (s.staging) phase.features[name]!.environments = ['staging'];
      addition = { kind, what: `permission ${op} on ${s.tn}`, feature: name, staging: s.staging };
      break;
    }
  }
  spec.phases.push(phase);
  return addition;
}

function pickShipped<T extends { tn: string }>(items: T[], d: Draw): T | null {
  return items.length ? d.pick(items) : null;
}

// ---------------------------------------------------------------------------
// A big project for crash tests.

/** One phase with `count` features, each creating one owner table: a build that writes 2 × count files. */
export function manyFeaturesPhase(count: number, phase = 100): string {
  const features: Record<string, GFeature> = {};
  for (let i = 0; i < count; i++) {
    features[`bulk_${i}`] = {
      description: `Bulk feature ${i}.`,
      tables: {
        [`bulk_${i}`]: {
          columns: {
            id: { type: 'uuid', primary_key: true, default: 'gen_random_uuid()' },
            user_id: { type: 'uuid', not_null: true, references: 'auth.users(id)', on_delete: 'cascade' },
            body: { type: 'text', default: "''" },
            n: { type: 'integer', check: 'n >= 0' },
          },
          rls: { owner: 'user_id', allow: ['select', 'insert', 'update'] },
        },
      },
    };
  }
  return renderPhase({ file: `phase-${phase}.yaml`, phase, title: 'Bulk', features });
}
