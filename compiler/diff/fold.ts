/**
 * Stage 4, fold: features applied in order to a cumulative schema.
 *
 * Input: features in fold order, the existing tables the spec declares.
 * Output: the final SchemaState, for each feature the additive changes it
 * makes (what its migration must do), and the diagnostics of the facts that
 * depend on what exists at that point (a table created twice, a missing
 * table or reference, a column added twice, a name taken, a permission
 * already given): the rules judge them (../rules).
 *
 * One mutable state is threaded through the features, so the fold is linear
 * in the size of the spec.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import { accept } from '../rules/index.js';
import type { FoldFact } from '../rules/facts.js';
import { ownerRule, type Column, type ExistingTable, type Extension, type Feature, type Table } from '../model/types.js';
import { ownerIndexName, relationNames } from '../model/names.js';
import type { AdditiveChange } from './changes.js';
import { cloneTable, tableKey, unmanagedTable, type EnumState, type Origin, type SchemaState, type TableState } from './state.js';
import { checkTableRules, extendRls, initialRls, type AccessContext } from './access.js';
import type { HelperFunction } from './functions.js';
import { enumUses, extendPublishing, foldTypes, tableObjects, type ObjectContext } from './objects.js';
import { judgeSql, type SqlViews } from './sql.js';

/** FoldResult is the schema after all features, and each feature's additive delta. */
export interface FoldResult {
  state: SchemaState;
  /** The enums, keyed by "schema.name". */
  enums: ReadonlyMap<string, EnumState>;
  changes: Map<string, AdditiveChange[]>;
  diagnostics: Diagnostic[];
}

const SUPABASE: Span = { file: '<supabase>', start: 0, end: 0 };

/** The tables Supabase provides; pamc may reference them but never creates or changes them. */
export function builtinTables(): TableState[] {
  const id: Column = {
    name: 'id',
    span: SUPABASE,
    type: { value: 'uuid', span: SUPABASE },
    typeName: ['uuid'],
    primaryKey: true,
    notNull: true,
    unique: false,
    default: null,
    references: null,
    identity: null,
    in: null,
    check: null,
    checkColumns: [],
    comment: null,
  };
  const origin: Origin = { kind: 'builtin' };
  return [unmanagedTable({ schema: 'auth', name: 'users', span: SUPABASE }, origin, [id])];
}

/**
 * Folds `features` in order. `report` says which features' diagnostics to
 * keep (several folds run over overlapping feature sets, one per
 * environment); `laterFeatures` (all features of the spec, in order) explain
 * why a table is missing at some point.
 */
export function fold(
  features: readonly Feature[],
  existing: readonly ExistingTable[],
  report: (feature: Feature) => boolean,
  laterFeatures: readonly Feature[] = [],
): FoldResult {
  const folder = new Folder(existing, laterFeatures);
  const changes = new Map<string, AdditiveChange[]>();
  const diagnostics: Diagnostic[] = [];
  for (const feature of features) {
    const { delta, found } = folder.apply(feature);
    changes.set(feature.name, delta);
    if (report(feature)) diagnostics.push(...found);
  }
  // Judged against the state the spec ends with: a later feature may add the parent rule that checks a reference, or exact grants.
  for (const { feature, fact } of folder.deferred) if (report(feature)) accept(fact, diagnostics);
  return { state: folder.state, enums: folder.enums, changes, diagnostics };
}

/** The state of one fold, and what applying a feature to it does. */
class Folder {
  readonly state: SchemaState = new Map();
  /** Who holds each relation name of a schema ("schema.name"): tables and indexes share one namespace. */
  private readonly relations = new Map<string, string>();
  private readonly existing: ExistingTable[];
  private nextExisting = 0;
  /** Types the spec declared so far, as "schema.name" (PostgreSQL's own are known to the rules). */
  private readonly types = new Set<string>();
  /** Helper functions access rules call, created so far. */
  private readonly functions = new Map<string, HelperFunction>();
  /** Enums and extensions created so far. */
  readonly enums = new Map<string, EnumState>();
  private readonly extensions = new Set<string>();
  /** Views SQL features created over tables of the spec. */
  private readonly sqlViews: SqlViews = new Map();
  private current: Feature | null = null;
  private found: Diagnostic[] = [];
  /** Facts judged once every feature is folded: references to tables whose rows users own, waived tables. */
  readonly deferred: Array<{ feature: Feature; fact: FoldFact }> = [];

  constructor(
    existing: readonly ExistingTable[],
    private readonly laterFeatures: readonly Feature[],
  ) {
    for (const t of builtinTables()) this.state.set(tableKey(t.schema, t.name), t);
    this.existing = [...existing].sort((a, b) => a.phase - b.phase);
  }

  private accept(fact: FoldFact): boolean {
    return accept(fact, this.found);
  }

  apply(feature: Feature): { delta: AdditiveChange[]; found: Diagnostic[] } {
    this.current = feature;
    this.found = [];
    this.addExisting(feature.phase);
    const origin: Origin = { kind: 'feature', feature: feature.name, span: feature.span };
    const delta: AdditiveChange[] = [];
    foldTypes(this.objects(origin, delta), feature);
    const created = this.createTables(feature, origin, delta);
    for (const ext of feature.extends) this.extend(ext, created, origin, delta);
    if (feature.sql) judgeSql(feature.sql, this.state, this.sqlViews, (fact) => this.accept(fact));
    return { delta, found: this.found };
  }

  private objects(origin: Origin, delta: AdditiveChange[]): ObjectContext {
    return {
      types: this.types,
      enums: this.enums,
      extensions: this.extensions,
      origin,
      delta,
      accept: (fact) => this.accept(fact),
      table: (schema, name) => this.state.get(tableKey(schema, name)),
    };
  }

  private access(origin: Origin, delta: AdditiveChange[]): AccessContext {
    return { state: this.state, functions: this.functions, origin, delta, accept: (fact) => this.accept(fact) };
  }

  /** Declared existing tables are known from their phase on. */
  private addExisting(upToPhase: number): void {
    while (this.nextExisting < this.existing.length && this.existing[this.nextExisting]!.phase <= upToPhase) {
      const e = this.existing[this.nextExisting++]!;
      const key = tableKey(e.schema, e.name);
      if (this.state.has(key)) continue;
      for (const c of e.columns) this.accept({ kind: 'column-type', span: c.type.span, column: c, declared: this.types });
      this.state.set(key, unmanagedTable(e, { kind: 'existing', span: e.span }, e.columns));
      this.relations.set(key, 'an `existing:` declaration');
    }
  }

  /** Claims a relation name; false when another relation holds it. */
  private claim(schema: string, name: string, span: Span, what: string): boolean {
    const key = `${schema}.${name}`;
    const holder = this.relations.get(key);
    const ok = this.accept({ kind: 'relation', span, schema, name, what, holder });
    if (!holder) this.relations.set(key, `feature \`${this.current!.name}\``);
    return ok;
  }

  /** Why a table is missing at this point, when another feature of the spec creates it. */
  private why(schema: string, name: string): string {
    const current = this.current!;
    const creator = this.laterFeatures.find((f) => f.tables.some((t) => t.schema === schema && t.name === name));
    if (!creator) return '';
    if (creator.draft && !current.draft) return ` (it is created by feature \`${creator.name}\`, in a draft phase, which is never emitted)`;
    if (this.laterFeatures.indexOf(creator) > this.laterFeatures.indexOf(current)) return ` (it is created later, by feature \`${creator.name}\`)`;
    if (!creator.environments.includes('production')) return ` (it is created by feature \`${creator.name}\`, which is staging-only: production never gets it)`;
    return '';
  }

  private tableNames(): string[] {
    return [...this.state.values()].map((t) => t.name);
  }

  private createTables(feature: Feature, origin: Origin, delta: AdditiveChange[]): TableState[] {
    const created: TableState[] = [];
    for (const table of feature.tables) {
      const key = tableKey(table.schema, table.name);
      const clash = this.state.get(key);
      this.accept({ kind: 'create-table', span: table.span, table, clash });
      if (clash) continue;
      const ts = newTable(table, origin, !feature.legacy);
      this.state.set(key, ts);
      created.push(ts);
      for (const rel of relationNames(table)) this.claim(table.schema, rel, table.span, rel === table.name ? 'table' : 'index');
      for (const i of table.indexes) this.claim(table.schema, i.name, i.span, 'index');
      const owner = ownerRule(table.rls);
      if (owner && !hasOwnIndex(ts, owner.column.value))
        this.claim(table.schema, ownerIndexName(table.name, owner.column.value), owner.column.span, 'owner index');
    }
    for (const ts of created) for (const c of ts.columns) this.columnFacts(ts, c.column);
    for (const table of feature.tables)
      if (this.state.get(tableKey(table.schema, table.name))?.origin === origin) tableObjects(this.objects(origin, delta), table);
    for (const u of created.flatMap((ts) => ts.uniques.map((x) => [ts, x] as const)))
      this.claim(u[0].schema, u[1].name.value, u[1].name.span, 'unique constraint');
    for (const ts of created)
      if (ts.rls.kind === 'disabled') this.deferred.push({ feature, fact: { kind: 'waived-table', span: ts.rls.waiver.span, table: ts } });
    // The rules first (a parent rule learns its parent, helper functions are added), then each table as created.
    for (const ts of created) checkTableRules(this.access(origin, delta), ts);
    for (const ts of created) delta.push({ kind: 'add_table', table: cloneTable(ts) });
    return created;
  }

  /** What a new column must satisfy where it is: its type and its reference exist, its check names columns of its table. */
  private columnFacts(table: TableState, column: Column): void {
    this.accept({ kind: 'column-type', span: column.type.span, column, declared: this.types });
    enumUses(this.objects({ kind: 'builtin' }, []), this.current!, column);
    const ref = column.references;
    if (ref) {
      const target = this.state.get(tableKey(ref.schema, ref.table));
      // The names and the reason are read only of a missing table: computed for every reference, they made the fold quadratic.
      const missing = target === undefined;
      this.accept({
        kind: 'reference',
        span: ref.span,
        column,
        target,
        tables: missing ? this.tableNames() : [],
        why: missing ? this.why(ref.schema, ref.table) : '',
      });
      if (target) this.deferred.push({ feature: this.current!, fact: { kind: 'owned-reference', span: ref.span, table, column, target } });
    }
    if (column.checkColumns.length) this.accept({ kind: 'check-columns', span: column.check?.span ?? column.span, table, column });
  }

  private extend(ext: Extension, created: readonly TableState[], origin: Origin, delta: AdditiveChange[]): void {
    const target = this.state.get(tableKey(ext.schema, ext.name));
    const createdHere = target !== undefined && created.includes(target);
    const missing = target === undefined;
    const tables = missing ? this.tableNames() : [];
    const fact = { kind: 'extend-table', span: ext.span, ext, target, createdHere, tables, why: missing ? this.why(ext.schema, ext.name) : '' } as const;
    if (!this.accept(fact) || !target) return;
    for (const column of ext.columns) {
      const clash = target.columns.find((c) => c.column.name === column.name);
      this.accept({ kind: 'add-column', span: column.span, table: target, column, clash });
      if (clash) continue;
      const cs = { column, origin };
      target.columns.push(cs);
      delta.push({ kind: 'add_column', table: target, column: cs, tableExisted: true });
      this.columnFacts(target, column);
    }
    this.addIndexes(ext, target, origin, delta);
    for (const c of ext.columns) if (c.unique) this.claim(target.schema, `${target.name}_${c.name}_key`, c.span, 'unique index');
    extendRls(this.access(origin, delta), ext, target);
    extendPublishing(this.objects(origin, delta), ext, target);
  }

  private addIndexes(ext: Extension, target: TableState, origin: Origin, delta: AdditiveChange[]): void {
    const before = new Set(target.columns.filter((c) => !ext.columns.includes(c.column)).map((c) => c.column.name));
    for (const index of ext.indexes) {
      const newColumns = index.columns.filter((c) => !before.has(c));
      if (!this.accept({ kind: 'index', span: index.span, table: target, index, newColumns })) continue;
      this.claim(target.schema, index.name, index.span, 'index');
      const is = { index, origin };
      target.indexes.push(is);
      delta.push({ kind: 'add_index', table: target, index: is, newColumns });
    }
  }
}

function newTable(table: Table, origin: Origin, exactGrants: boolean): TableState {
  return {
    schema: table.schema,
    name: table.name,
    span: table.span,
    comment: table.comment,
    origin,
    columns: table.columns.map((column) => ({ column, origin })),
    indexes: table.indexes.map((index) => ({ index, origin })),
    rls: initialRls(table, origin, exactGrants),
    checks: [...table.checks],
    uniques: [...table.uniques],
    realtime: table.realtime,
    touch: table.touch?.value ?? null,
  };
}

function hasOwnIndex(table: TableState, owner: string): boolean {
  const first = table.columns.filter((c) => c.column.primaryKey);
  if (first.length === 1 && first[0]!.column.name === owner) return true;
  if (table.columns.some((c) => c.column.name === owner && c.column.unique)) return true;
  return table.indexes.some((i) => i.index.columns[0] === owner && !i.index.where);
}

/** True when the owner column needs pamc's own index (no other index leads with it). */
export function needsOwnerIndex(table: TableState, owner: string): boolean {
  return !hasOwnIndex(table, owner);
}
