/**
 * Drift: every difference between what the spec says an environment's
 * database holds and what its catalog holds.
 *
 * Input: ExpectedSchema (./expected), Catalog (./catalog), and the database's
 * own spelling of the spec's types and defaults (Resolutions). Output:
 * Drift[], each naming the table and, where there is one, the column.
 */
import type { Operation } from '../model/types.js';
import { displayName, tableKeyOf, type ExpectedTable } from './expected.js';
import type { Catalog, CatalogTable, PolicyCommand, Resolutions } from './catalog.js';
import type { ExpectedSchema } from './expected.js';

/** Drift is one difference between the spec and the database. */
export interface Drift {
  /** The table, as messages show it (no schema for public). */
  table: string;
  column: string | null;
  message: string;
}

const COMMAND: Record<Operation, PolicyCommand> = { select: 'SELECT', insert: 'INSERT', update: 'UPDATE', delete: 'DELETE' };

/** Compares the expected schema with the catalog. */
export function compareSchema(expected: ExpectedSchema, catalog: Catalog, resolved: Resolutions): Drift[] {
  const out: Drift[] = [];
  for (const t of expected.tables) out.push(...compareTable(t, catalog.tables.get(tableKeyOf(t)) ?? null, catalog, resolved));
  return out;
}

/** Reports one table's drift: `say(column, message)`. */
type Say = (column: string | null, message: string) => void;

function compareTable(t: ExpectedTable, actual: CatalogTable | null, catalog: Catalog, resolved: Resolutions): Drift[] {
  const table = displayName(t.schema, t.name);
  const out: Drift[] = [];
  const say: Say = (column, message) => {
    out.push({ table, column, message });
  };
  if (!actual) {
    say(null, 'table missing');
    return out;
  }
  compareColumns(t, actual, resolved, say);
  if (!t.managed) return out;
  compareKeys(t, actual, say);
  if (t.rls.kind === 'rules') {
    if (!actual.rowSecurity) say(null, 'row level security is disabled, spec says enabled');
    comparePolicies(t, actual, say);
  }
  compareGrants(t, actual, catalog, say);
  return out;
}

function compareColumns(t: ExpectedTable, actual: CatalogTable, resolved: Resolutions, say: Say): void {
  const byName = new Map(actual.columns.map((c) => [c.name, c]));
  for (const c of t.columns) {
    const a = byName.get(c.name);
    if (!a) {
      say(c.name, 'column missing');
      continue;
    }
    const r = resolved.get(`${tableKeyOf(t)}.${c.name}`);
    const wantType = r?.type ?? normalizeType(c.type);
    if (a.type !== wantType) say(c.name, `type is ${a.type}, spec says ${c.type}`);
    if (a.notNull !== c.notNull) say(c.name, a.notNull ? 'is NOT NULL, spec says nullable' : 'is nullable, spec says NOT NULL');
    if (a.identity !== c.identity)
      say(c.name, `is ${a.identity ? `an identity (${a.identity})` : 'not an identity'}, spec says ${c.identity ? `identity (${c.identity})` : 'none'}`);
    if (a.generated) continue;
    if (c.default === null && a.default !== null && !(SERIAL.test(c.type.trim()) && a.default.startsWith('nextval(')))
      say(c.name, `has default ${a.default}, spec says none`);
    else if (c.default !== null && a.default === null) say(c.name, `has no default, spec says ${c.default}`);
    else if (c.default !== null && a.default !== null) {
      const want = r ? r.default : c.default;
      if (want !== null && squash(want) !== squash(a.default)) say(c.name, `default is ${a.default}, spec says ${c.default}`);
    }
  }
  if (!t.managed) return;
  const declared = new Set(t.columns.map((c) => c.name));
  for (const a of actual.columns) if (!declared.has(a.name)) say(a.name, 'column is not in the spec');
}

function compareKeys(t: ExpectedTable, actual: CatalogTable, say: Say): void {
  const pk = actual.constraints.find((k) => k.kind === 'primary');
  if (t.primaryKey) {
    if (!pk) say(null, `has no primary key, spec says (${t.primaryKey.columns.join(', ')})`);
    else if (pk.columns.join(',') !== t.primaryKey.columns.join(','))
      say(null, `primary key is (${pk.columns.join(', ')}), spec says (${t.primaryKey.columns.join(', ')})`);
  } else if (pk) {
    say(null, `has primary key (${pk.columns.join(', ')}), spec says none`);
  }
  compareForeignKeys(t, actual, say);
  for (const u of t.uniques) {
    const has =
      actual.constraints.some((k) => (k.kind === 'unique' || k.kind === 'primary') && k.columns.length === 1 && k.columns[0] === u.column) ||
      actual.indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === u.column);
    if (!has) say(u.column, 'unique constraint missing');
  }
  const constraintNames = new Set(actual.constraints.map((k) => k.name));
  for (const name of t.checks) if (!constraintNames.has(name)) say(null, `check constraint ${name} missing`);
  for (const name of t.namedUniques)
    if (!actual.constraints.some((k) => k.kind === 'unique' && k.name === name)) say(null, `unique constraint ${name} missing`);
  for (const name of t.indexes) {
    const index = actual.indexes.find((i) => i.name === name);
    const method = t.methods[name] ?? 'btree';
    if (!index) say(null, `index ${name} missing`);
    else if (index.method !== method) say(null, `index ${name} is ${index.method}, spec says ${method}`);
  }
}

function compareForeignKeys(t: ExpectedTable, actual: CatalogTable, say: Say): void {
  const spell = (k: CatalogTable['constraints'][number]): string =>
    k.target ? `${k.target.schema}.${k.target.table}(${k.target.columns.join(', ')})` : 'nothing';
  for (const fk of t.foreignKeys) {
    const found = actual.constraints.filter((k) => k.kind === 'foreign' && k.columns.length === 1 && k.columns[0] === fk.column);
    const want = `${fk.target.schema}.${fk.target.table}(${fk.target.column})`;
    if (found.length === 0) {
      say(fk.column, `foreign key to ${want} missing`);
      continue;
    }
    const same = found.find((k) => k.target && spell(k) === want);
    if (!same) say(fk.column, `references ${spell(found[0]!)}, spec says ${want}`);
    else if (same.onDelete !== fk.onDelete)
      say(fk.column, `foreign key is ON DELETE ${(same.onDelete ?? 'no action').toUpperCase()}, spec says ON DELETE ${fk.onDelete.toUpperCase()}`);
    else if (same.onUpdate !== null && same.onUpdate !== fk.onUpdate)
      say(fk.column, `foreign key is ON UPDATE ${same.onUpdate.toUpperCase()}, spec says ON UPDATE ${fk.onUpdate.toUpperCase()}`);
  }
}

function comparePolicies(t: ExpectedTable, actual: CatalogTable, say: Say): void {
  const expectedNames = new Set(t.policies.map((p) => p.name));
  for (const p of t.policies) {
    const a = actual.policies.find((x) => x.name === p.name);
    if (!a) {
      say(null, `policy "${p.name}" missing`);
      continue;
    }
    if (a.command !== p.command) say(null, `policy "${p.name}" is FOR ${a.command}, spec says FOR ${p.command}`);
    if ([...a.roles].sort().join(',') !== [...p.roles].sort().join(','))
      say(null, `policy "${p.name}" applies to ${a.roles.join(', ')}, spec says ${p.roles.join(', ')}`);
    if (a.permissive !== p.permissive)
      say(null, `policy "${p.name}" is ${a.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}, spec says ${p.permissive ? 'PERMISSIVE' : 'RESTRICTIVE'}`);
  }
  for (const a of actual.policies) {
    if (expectedNames.has(a.name)) continue;
    const using = a.using !== null ? ` USING ${a.using}` : '';
    const check = a.check !== null ? ` WITH CHECK ${a.check}` : '';
    say(null, `policy "${a.name}" is not in the spec (${a.permissive ? '' : 'RESTRICTIVE '}FOR ${a.command} TO ${a.roles.join(', ')}${using}${check})`);
  }
}

/** Privileges the expected grants need and the catalog lacks (privileges beyond them are judged in ./exposure grantExcess). */
function compareGrants(t: ExpectedTable, actual: CatalogTable, catalog: Catalog, say: Say): void {
  for (const g of t.grants) {
    if (!catalog.roles.has(g.role)) {
      say(null, `role ${g.role} does not exist`);
      continue;
    }
    const has = actual.privileges.get(g.role) ?? [];
    const lacking = g.operations.filter((op) => !has.includes(op));
    const why = g.role === 'service_role' ? 'the backend key needs every operation' : 'allowed by the spec';
    if (lacking.length) say(null, `${g.role} lacks ${lacking.map((op) => COMMAND[op]).join(', ')} (${why})`);
  }
}

/** Serial types: their column's default is the sequence PostgreSQL made for it. */
const SERIAL = /^(small|big)?serial[248]?$/i;

function squash(s: string): string {
  return s.replace(/\s+/g, '');
}

const ALIASES: Record<string, string> = {
  int: 'integer',
  int4: 'integer',
  integer: 'integer',
  serial: 'integer',
  serial4: 'integer',
  int8: 'bigint',
  bigserial: 'bigint',
  serial8: 'bigint',
  int2: 'smallint',
  smallserial: 'smallint',
  serial2: 'smallint',
  float8: 'double precision',
  float: 'double precision',
  float4: 'real',
  bool: 'boolean',
  decimal: 'numeric',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  time: 'time without time zone',
  varchar: 'character varying',
  'character varying': 'character varying',
  char: 'character',
  bpchar: 'character',
  varbit: 'bit varying',
};

/**
 * The catalog's spelling of a type name, for when the database could not
 * spell it (see ./catalog resolveSql): common aliases only.
 */
export function normalizeType(type: string): string {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^([a-z_][a-z0-9_ .]*?)\s*(\(\s*[0-9]+\s*(?:,\s*[0-9]+\s*)?\))?((?:\[\])*)$/.exec(t);
  if (!m) return t;
  const base = m[1]!.replace(/^pg_catalog\./, '');
  const mods = m[2] ? m[2].replace(/\s+/g, '') : '';
  const arrays = m[3] ?? '';
  const name = ALIASES[base] ?? base;
  if (/^(timestamp|time) (with|without) time zone$/.test(name) && mods) {
    const [kind, ...rest] = name.split(' ');
    return `${kind}${mods} ${rest.join(' ')}${arrays}`;
  }
  if (name === 'character' && !mods) return `character(1)${arrays}`;
  return `${name}${mods}${arrays}`;
}
