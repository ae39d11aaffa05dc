/**
 * Stage 4, fold: features applied in order to a cumulative schema.
 *
 * Input: features in fold order, the existing tables the spec declares, a
 * loaded parser. Output: the final SchemaState, for each feature the additive
 * changes it makes (what its migration must do), and the diagnostics that
 * depend on what exists at that point: table-exists, unknown-table,
 * unknown-reference, column-exists, duplicate-name, redundant-permission.
 *
 * One mutable state is threaded through the features, so the fold is linear
 * in the size of the spec.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import { diagnostic } from '../rules/index.js';
import type { Column, ExistingTable, Feature, Reference } from '../model/types.js';
import { ownerIndexName, relationNames } from '../model/names.js';
import { closest } from '../validate/index.js';
import type { AdditiveChange } from './changes.js';
import { cloneTable, tableKey, type ColumnState, type Origin, type SchemaState, type TableState } from './state.js';

/** FoldResult is the schema after all features, and each feature's additive delta. */
export interface FoldResult {
  state: SchemaState;
  changes: Map<string, AdditiveChange[]>;
  diagnostics: Diagnostic[];
}

/** The tables Supabase provides; pamc may reference them but never creates or changes them. */
export function builtinTables(): TableState[] {
  const span: Span = { file: '<supabase>', start: 0, end: 0 };
  const id: Column = {
    name: 'id',
    span,
    type: { value: 'uuid', span },
    primaryKey: true,
    notNull: true,
    unique: false,
    default: null,
    references: null,
    in: null,
    check: null,
    checkColumns: [],
    comment: null,
  };
  return [
    {
      schema: 'auth',
      name: 'users',
      span,
      comment: null,
      origin: { kind: 'builtin' },
      columns: [{ column: id, origin: { kind: 'builtin' } }],
      indexes: [],
      rls: { kind: 'unmanaged' },
    },
  ];
}

function describeOrigin(origin: Origin): string {
  switch (origin.kind) {
    case 'feature':
      return `feature \`${origin.feature}\``;
    case 'existing':
      return 'an `existing:` declaration';
    case 'builtin':
      return 'Supabase';
  }
}

/**
 * Folds `features` in order. `report` says which features' diagnostics to
 * keep (several folds run over overlapping feature sets, one per environment).
 */
export function fold(
  features: readonly Feature[],
  existing: readonly ExistingTable[],
  report: (feature: Feature) => boolean,
  laterFeatures: readonly Feature[] = [],
): FoldResult {
  const state: SchemaState = new Map();
  const relations = new Map<string, string>();
  const diagnostics: Diagnostic[] = [];
  const changes = new Map<string, AdditiveChange[]>();
  for (const t of builtinTables()) state.set(tableKey(t.schema, t.name), t);

  const existingByPhase = [...existing].sort((a, b) => a.phase - b.phase);
  let nextExisting = 0;
  const addExisting = (upToPhase: number): void => {
    while (nextExisting < existingByPhase.length && existingByPhase[nextExisting]!.phase <= upToPhase) {
      const e = existingByPhase[nextExisting++]!;
      const key = tableKey(e.schema, e.name);
      if (state.has(key)) continue;
      const origin: Origin = { kind: 'existing', span: e.span };
      state.set(key, {
        schema: e.schema,
        name: e.name,
        span: e.span,
        comment: null,
        origin,
        columns: e.columns.map((column) => ({ column, origin })),
        indexes: [],
        rls: { kind: 'unmanaged' },
      });
      for (const rel of [e.name]) relations.set(`${e.schema}.${rel}`, 'an `existing:` declaration');
    }
  };

  let current: Feature | null = null;
  /** Why a table is missing at this point, when another feature of the spec creates it. */
  const creatorLater = (schema: string, name: string): string => {
    const creator = laterFeatures.find((f) => f.tables.some((t) => t.schema === schema && t.name === name));
    if (!creator || !current) return '';
    if (creator.draft && !current.draft) return ` (it is created by feature \`${creator.name}\`, in a draft phase, which is never emitted)`;
    if (laterFeatures.indexOf(creator) > laterFeatures.indexOf(current)) return ` (it is created later, by feature \`${creator.name}\`)`;
    if (!creator.environments.includes('production')) return ` (it is created by feature \`${creator.name}\`, which is staging-only: production never gets it)`;
    return '';
  };

  for (const feature of features) {
    current = feature;
    addExisting(feature.phase);
    const out: Diagnostic[] = [];
    const delta: AdditiveChange[] = [];
    const origin: Origin = { kind: 'feature', feature: feature.name, span: feature.span };
    const claim = (schema: string, name: string, span: Span, what: string): void => {
      const key = `${schema}.${name}`;
      const owner = relations.get(key);
      if (owner)
        out.push(
          diagnostic(
            'duplicate-name',
            span,
            `the ${what} \`${name}\` is already a relation of schema ${schema} (from ${owner})`,
            'PostgreSQL keeps tables and indexes in one namespace per schema: choose another name',
          ),
        );
      else relations.set(key, `feature \`${feature.name}\``);
    };

    const created: TableState[] = [];
    for (const table of feature.tables) {
      const key = tableKey(table.schema, table.name);
      const clash = state.get(key);
      if (clash) {
        out.push(
          diagnostic(
            'table-exists',
            table.span,
            `table \`${table.name}\` already exists: it is created by ${describeOrigin(clash.origin)}`,
            `to add to it, use \`extend: { ${table.name}: ... }\` in this feature`,
          ),
        );
        continue;
      }
      const rls = table.rls;
      const ts: TableState = {
        schema: table.schema,
        name: table.name,
        span: table.span,
        comment: table.comment,
        origin,
        columns: table.columns.map((column) => ({ column, origin })),
        indexes: table.indexes.map((index) => ({ index, origin })),
        rls:
          rls?.kind === 'owner'
            ? { kind: 'owner', rule: rls, permissions: rls.allow.value.map((operation) => ({ operation, origin, span: rls.allow.span })), origin }
            : rls?.kind === 'disabled'
              ? { kind: 'disabled', waiver: rls, origin }
              : { kind: 'disabled', waiver: { kind: 'disabled', reason: '', span: table.span }, origin },
      };
      state.set(key, ts);
      created.push(ts);
      for (const rel of relationNames(table)) claim(table.schema, rel, table.span, rel === table.name ? 'table' : 'index');
      for (const i of table.indexes) claim(table.schema, i.name, i.span, 'index');
      if (table.rls?.kind === 'owner' && !hasOwnIndex(ts, table.rls.owner.value))
        claim(table.schema, ownerIndexName(table.name, table.rls.owner.value), table.rls.owner.span, 'owner index');
      delta.push({ kind: 'add_table', table: cloneTable(ts) });
    }
    for (const ts of created) {
      for (const c of ts.columns) {
        checkReference(state, c.column, out, creatorLater);
        checkCheckColumns(ts, c.column, out);
      }
    }

    for (const ext of feature.extends) {
      const key = tableKey(ext.schema, ext.name);
      const ts = state.get(key);
      if (!ts) {
        const guess = closest(
          ext.name,
          [...state.values()].map((t) => t.name),
        );
        out.push(
          diagnostic(
            'unknown-table',
            ext.span,
            `table \`${ext.schema === 'public' ? ext.name : `${ext.schema}.${ext.name}`}\` does not exist at this point${creatorLater(ext.schema, ext.name)}`,
            guess ? `did you mean \`${guess}\`?` : 'create it in `tables:` of an earlier feature, or declare it under `existing:`',
          ),
        );
        continue;
      }
      if (ts.origin.kind === 'builtin') {
        out.push(
          diagnostic(
            'unknown-table',
            ext.span,
            `table \`${ext.schema}.${ext.name}\` belongs to Supabase; pamc does not change it`,
            'keep per-user data in a table of your own that references auth.users(id)',
          ),
        );
        continue;
      }
      if (created.includes(ts)) {
        out.push(diagnostic('table-exists', ext.span, `table \`${ext.name}\` is created by this same feature`, 'declare the columns in `tables:` directly'));
        continue;
      }
      for (const column of ext.columns) {
        if (ts.columns.some((c) => c.column.name === column.name)) {
          const owner = ts.columns.find((c) => c.column.name === column.name)!;
          out.push(
            diagnostic(
              'column-exists',
              column.span,
              `column \`${ext.name}.${column.name}\` already exists: it comes from ${describeOrigin(owner.origin)}`,
              'a column is defined once, by the feature that adds it; give this column a new name',
            ),
          );
          continue;
        }
        const cs: ColumnState = { column, origin };
        ts.columns.push(cs);
        delta.push({ kind: 'add_column', table: ts, column: cs, tableExisted: true });
        checkReference(state, column, out, creatorLater);
        checkCheckColumns(ts, column, out);
      }
      const names = new Set(ts.columns.map((c) => c.column.name));
      for (const index of ext.indexes) {
        const missing = index.columns.find((c) => !names.has(c));
        if (missing) {
          out.push(
            diagnostic(
              'unknown-reference',
              index.span,
              `index column \`${missing}\` is not a column of \`${ext.name}\``,
              `did you mean one of: ${[...names].join(', ')}?`,
            ),
          );
          continue;
        }
        if (ts.indexes.some((i) => i.index.name === index.name)) {
          out.push(diagnostic('duplicate-name', index.span, `table \`${ext.name}\` already has an index \`${index.name}\``, 'give the index another `name:`'));
          continue;
        }
        claim(ts.schema, index.name, index.span, 'index');
        const before = new Set(ts.columns.filter((c) => !ext.columns.includes(c.column)).map((c) => c.column.name));
        const is = { index, origin };
        ts.indexes.push(is);
        delta.push({ kind: 'add_index', table: ts, index: is, newColumns: index.columns.filter((c) => !before.has(c)) });
      }
      for (const c of ext.columns) if (c.unique) claim(ts.schema, `${ts.name}_${c.name}_key`, c.span, 'unique index');
      if (ext.allow) {
        if (ts.rls.kind !== 'owner') {
          out.push(
            diagnostic(
              'unknown-owner',
              ext.allow.span,
              `table \`${ext.name}\` has no owner rule to add permissions to`,
              'only tables created with `rls: { owner: ..., allow: [...] }` take more permissions',
            ),
          );
        } else {
          for (const operation of ext.allow.value) {
            if (ts.rls.permissions.some((p) => p.operation === operation)) {
              const by = ts.rls.permissions.find((p) => p.operation === operation)!;
              out.push(
                diagnostic(
                  'redundant-permission',
                  ext.allow.span,
                  `\`${operation}\` is already allowed on \`${ext.name}\` (by ${describeOrigin(by.origin)})`,
                  `remove \`${operation}\` from this list`,
                ),
              );
              continue;
            }
            ts.rls.permissions.push({ operation, origin, span: ext.allow.span });
            delta.push({ kind: 'add_policy', table: ts, operation, span: ext.allow.span });
          }
        }
      }
    }
    changes.set(feature.name, delta);
    if (report(feature)) diagnostics.push(...out);
  }
  return { state, changes, diagnostics };
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

/** A check may name only columns of its own table. */
function checkCheckColumns(table: TableState, column: Column, out: Diagnostic[]): void {
  const names = table.columns.map((c) => c.column.name);
  for (const ref of column.checkColumns) {
    if (names.includes(ref)) continue;
    const guess = closest(ref, names);
    out.push(
      diagnostic(
        'unknown-reference',
        column.check?.span ?? column.span,
        `the check of \`${table.name}.${column.name}\` names \`${ref}\`, which is not a column of \`${table.name}\``,
        guess ? `did you mean \`${guess}\`?` : 'a check may only use columns of its own table',
      ),
    );
  }
}

function checkReference(state: SchemaState, column: Column, out: Diagnostic[], creatorLater: (schema: string, name: string) => string): void {
  const ref: Reference | null = column.references;
  if (!ref) return;
  const target = state.get(tableKey(ref.schema, ref.table));
  if (!target) {
    const guess = closest(
      ref.table,
      [...state.values()].map((t) => t.name),
    );
    out.push(
      diagnostic(
        'unknown-reference',
        ref.span,
        `\`${column.name}\` references \`${ref.schema}.${ref.table}\`, which does not exist at this point${creatorLater(ref.schema, ref.table)}`,
        guess ? `did you mean \`${guess}\`?` : 'reference a table created by an earlier feature, or declare it under `existing:`',
      ),
    );
    return;
  }
  const targetColumn = target.columns.find((c) => c.column.name === ref.column);
  if (!targetColumn) {
    const guess = closest(
      ref.column,
      target.columns.map((c) => c.column.name),
    );
    out.push(
      diagnostic(
        'unknown-reference',
        ref.span,
        `\`${column.name}\` references \`${ref.schema}.${ref.table}(${ref.column})\`, but \`${ref.table}\` has no column \`${ref.column}\``,
        guess ? `did you mean \`${guess}\`?` : `reference one of: ${target.columns.map((c) => c.column.name).join(', ')}`,
      ),
    );
    return;
  }
  if (target.origin.kind === 'feature') {
    const pk = target.columns.filter((c) => c.column.primaryKey);
    const unique =
      targetColumn.column.unique ||
      (pk.length === 1 && pk[0] === targetColumn) ||
      target.indexes.some((i) => i.index.unique && !i.index.where && i.index.columns.length === 1 && i.index.columns[0] === ref.column);
    if (!unique) {
      out.push(
        diagnostic(
          'unknown-reference',
          ref.span,
          `\`${ref.table}.${ref.column}\` is neither the primary key nor unique, so PostgreSQL cannot reference it`,
          `reference the primary key of \`${ref.table}\`, or make \`${ref.column}\` unique`,
        ),
      );
    }
  }
}
