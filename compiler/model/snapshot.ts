/**
 * Snapshots: the normalized spec of one feature, as the lock stores it.
 *
 * A snapshot is written in the language itself (the same keys as a phase
 * file), with every default made explicit: resolved policy label, index
 * names, environments. Reading a snapshot back goes through the same
 * readFeature as a phase file, so there is one reader, not two.
 * The description is not part of it: rewording it is not a schema change.
 * A SQL file is kept as its SHA-256 (`sql: { sha256 }`), which readFeature
 * also reads.
 */
import {
  ownerRule,
  type AccessRule,
  type Column,
  type CustomPolicy,
  type Extension,
  type Feature,
  type Index,
  type MembersRule,
  type OpenRule,
  type ParentRule,
  type RlsRules,
  type Table,
} from './types.js';

/** FeatureSnapshot is a feature's normalized spec, JSON-serializable. */
export type FeatureSnapshot = Record<string, unknown>;

function column(c: Column): Record<string, unknown> {
  const out: Record<string, unknown> = { type: c.type.value };
  if (c.primaryKey) out.primary_key = true;
  if (c.notNull) out.not_null = true;
  if (c.unique) out.unique = true;
  if (c.default) out.default = c.default.value;
  if (c.references) {
    out.references = `${c.references.schema}.${c.references.table}(${c.references.column})`;
    if (c.references.onDelete) out.on_delete = c.references.onDelete;
    if (c.references.onUpdate) out.on_update = c.references.onUpdate;
  }
  if (c.identity) out.identity = c.identity === 'always' ? 'always' : true;
  if (c.in) out.in = [...c.in.value];
  if (c.check) out.check = c.check.value;
  if (c.comment !== null) out.comment = c.comment;
  return out;
}

function columns(cs: readonly Column[]): Record<string, unknown> {
  return Object.fromEntries(cs.map((c) => [c.name, column(c)]));
}

function index(i: Index): Record<string, unknown> {
  // The keys as written (for an index of plain columns, its columns).
  const out: Record<string, unknown> = { name: i.name, columns: [...i.keys] };
  if (i.method) out.method = i.method;
  if (i.unique) out.unique = true;
  if (i.where) out.where = i.where.value;
  return out;
}

/** The rules other than the owner rule, in the language's keys (`public`, `signed_in`, `where`, `parent`, `members`, `policies`). */
function rules(list: readonly AccessRule[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const open = list.filter((r): r is OpenRule => r.kind === 'public' || r.kind === 'signed_in');
  for (const r of open) out[r.kind] = [...r.allow.value];
  const where = open.find((r) => r.where)?.where;
  if (where) out.where = where.value;
  const parent = list.find((r): r is ParentRule => r.kind === 'parent');
  if (parent) out.parent = { column: parent.column.value, allow: [...parent.allow.value] };
  const members = list.filter((r): r is MembersRule => r.kind === 'members');
  if (members.length) out.members = members.map(member);
  const policies = list.filter((r): r is CustomPolicy => r.kind === 'policy');
  if (policies.length) out.policies = policies.map(policy);
  return out;
}

function member(m: MembersRule): Record<string, unknown> {
  const out: Record<string, unknown> = { group: m.group.value, through: m.through.value, user: m.user.value };
  if (m.roles) Object.assign(out, { roles: [...m.roles.values.value], role_column: m.roles.column });
  out.allow = [...m.allow.value];
  return out;
}

function policy(p: CustomPolicy): Record<string, unknown> {
  const out: Record<string, unknown> = { name: p.name.value, for: p.command, to: [...p.to] };
  if (p.using) out.using = p.using.value;
  if (p.withCheck) out.with_check = p.withCheck.value;
  return out;
}

function tableRls(rls: RlsRules): Record<string, unknown> {
  const owner = ownerRule(rls);
  const out: Record<string, unknown> = owner ? { owner: owner.column.value, allow: [...owner.allow.value] } : {};
  out.label = rls.label;
  Object.assign(out, rules(rls.rules));
  if (rls.serviceOnly) out.service_only = true;
  return out;
}

function table(t: Table): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (t.comment !== null) out.comment = t.comment;
  out.columns = columns(t.columns);
  if (t.indexes.length) out.indexes = t.indexes.map(index);
  if (t.rls?.kind === 'rules') out.rls = tableRls(t.rls);
  else if (t.rls?.kind === 'disabled') out.rls = { disabled: true, reason: t.rls.reason };
  if (t.checks.length) out.checks = Object.fromEntries(t.checks.map((c) => [c.name.value, c.expression.value]));
  if (t.uniques.length) out.unique = Object.fromEntries(t.uniques.map((u) => [u.name.value, [...u.columns.value]]));
  if (t.realtime) out.realtime = true;
  if (t.touch) out.touch = t.touch.value;
  return out;
}

/** What an extension adds; the reason for widened access is not part of it (rewording it is not an edit). */
function extension(x: Extension): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (x.columns.length) out.columns = columns(x.columns);
  if (x.indexes.length) out.indexes = x.indexes.map(index);
  if (x.rls && (x.rls.allow || x.rls.rules.length)) out.rls = { ...(x.rls.allow ? { allow: [...x.rls.allow.value] } : {}), ...rules(x.rls.rules) };
  if (x.exactGrants) out.grants = 'exact';
  if (x.realtime) out.realtime = true;
  if (x.touch) out.touch = x.touch.value;
  return out;
}

/** The normalized spec of a feature. */
export function snapshotFeature(f: Feature): FeatureSnapshot {
  const out: FeatureSnapshot = { environments: [...f.environments] };
  if (f.extensions.length) out.extensions = f.extensions.map((x) => x.value);
  if (f.enums.length) out.enums = Object.fromEntries(f.enums.map((e) => [`${e.schema}.${e.name}`, e.values.map((v) => v.value)]));
  if (f.tables.length) out.tables = Object.fromEntries(f.tables.map((t) => [t.name, table(t)]));
  const extend = [
    ...f.extends.map((x) => [`${x.schema}.${x.name}`, extension(x)] as const),
    ...f.enumValues.map((e) => [`${e.schema}.${e.name}`, { values: e.values.map((v) => v.value) }] as const),
  ];
  if (extend.length) out.extend = Object.fromEntries(extend);
  // The SQL file by its hash: the text is in the migration itself, and moving the file is not an edit.
  if (f.sql) out.sql = { sha256: f.sql.sha256 };
  return out;
}

/** A snapshot without its SQL file, which history judges on its own (modify-emitted-sql). */
export function withoutSql(snapshot: FeatureSnapshot): FeatureSnapshot {
  const { sql: _sql, ...rest } = snapshot;
  return rest;
}

/** The hash of the SQL file a snapshot records, or null when it has none. */
export function snapshotSql(snapshot: FeatureSnapshot): string | null {
  const sql = snapshot.sql as { sha256?: unknown } | undefined;
  return typeof sql?.sha256 === 'string' ? sql.sha256 : null;
}

/** Canonical JSON: keys in insertion order (snapshots are built in a fixed order), no spaces. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value);
}

/** The first path at which two JSON values differ, for messages ("tables.trips.columns.end.type"). */
export function firstDifference(a: unknown, b: unknown, path = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d !== null) return d;
    }
    return path || '(order)';
  }
  return path || '(root)';
}

/**
 * A snapshot as it is compared: column types in PostgreSQL's canonical
 * spelling (`timestamp with time zone` is `timestamptz`) and `in` lists as
 * sets, so a respelling or a reordering is not an edit.
 */
function normalized(snapshot: FeatureSnapshot, canon: (type: string) => string): unknown {
  const columns = (cs: unknown): unknown =>
    Object.fromEntries(
      Object.entries((cs ?? {}) as Record<string, Record<string, unknown>>).map(([name, c]) => {
        const out: Record<string, unknown> = { ...c };
        if (typeof c.type === 'string') out.type = canon(c.type);
        if (Array.isArray(c.in)) out.in = inSet(c.in as Array<string | number>);
        return [name, out];
      }),
    );
  const tables = (ts: unknown): unknown =>
    Object.fromEntries(Object.entries((ts ?? {}) as Record<string, Record<string, unknown>>).map(([name, t]) => [name, { ...t, columns: columns(t.columns) }]));
  return { ...snapshot, tables: tables(snapshot.tables), extend: tables(snapshot.extend) };
}

/** Whether two snapshots describe the same feature, up to respellings of types and the order of `in` lists. */
export function sameSnapshot(a: FeatureSnapshot, b: FeatureSnapshot, canon: (type: string) => string): boolean {
  return canonicalJson(a) === canonicalJson(b) || canonicalJson(normalized(a, canon)) === canonicalJson(normalized(b, canon));
}

/** An `in` list as a set: its values in one order, numbers and strings kept apart. */
export function inSet(values: ReadonlyArray<string | number>): Array<string | number> {
  const key = (v: string | number): string => `${typeof v}:${v}`;
  return [...values].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
