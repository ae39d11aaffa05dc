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

function compareTable(t: ExpectedTable, actual: CatalogTable | null, catalog: Catalog, resolved: Resolutions): Drift[] {
  const table = displayName(t.schema, t.name);
  const out: Drift[] = [];
  const drift = (column: string | null, message: string): void => {
    out.push({ table, column, message });
  };
  if (!actual) {
    drift(null, 'table missing');
    return out;
  }

  // Columns.
  const byName = new Map(actual.columns.map((c) => [c.name, c]));
  for (const c of t.columns) {
    const a = byName.get(c.name);
    if (!a) {
      drift(c.name, 'column missing');
      continue;
    }
    const r = resolved.get(`${tableKeyOf(t)}.${c.name}`);
    const wantType = r?.type ?? normalizeType(c.type);
    if (a.type !== wantType) drift(c.name, `type is ${a.type}, spec says ${c.type}`);
    if (a.notNull !== c.notNull) drift(c.name, a.notNull ? 'is NOT NULL, spec says nullable' : 'is nullable, spec says NOT NULL');
    if (!a.generated) {
      if (c.default === null && a.default !== null) drift(c.name, `has default ${a.default}, spec says none`);
      else if (c.default !== null && a.default === null) drift(c.name, `has no default, spec says ${c.default}`);
      else if (c.default !== null && a.default !== null) {
        const want = r ? r.default : c.default;
        if (want !== null && squash(want) !== squash(a.default)) drift(c.name, `default is ${a.default}, spec says ${c.default}`);
      }
    }
  }
  if (t.managed) {
    const declared = new Set(t.columns.map((c) => c.name));
    for (const a of actual.columns) if (!declared.has(a.name)) drift(a.name, 'column is not in the spec');
  }
  if (!t.managed) return out;

  // Keys and constraints.
  const pk = actual.constraints.find((k) => k.kind === 'primary');
  if (t.primaryKey) {
    if (!pk) drift(null, `has no primary key, spec says (${t.primaryKey.columns.join(', ')})`);
    else if (pk.columns.join(',') !== t.primaryKey.columns.join(','))
      drift(null, `primary key is (${pk.columns.join(', ')}), spec says (${t.primaryKey.columns.join(', ')})`);
  } else if (pk) {
    drift(null, `has primary key (${pk.columns.join(', ')}), spec says none`);
  }
  for (const fk of t.foreignKeys) {
    const found = actual.constraints.filter((k) => k.kind === 'foreign' && k.columns.length === 1 && k.columns[0] === fk.column);
    const want = `${fk.target.schema}.${fk.target.table}(${fk.target.column})`;
    if (found.length === 0) {
      drift(fk.column, `foreign key to ${want} missing`);
      continue;
    }
    const same = found.find((k) => k.target && `${k.target.schema}.${k.target.table}(${k.target.columns.join(', ')})` === want);
    if (!same) {
      const k = found[0]!;
      drift(fk.column, `references ${k.target ? `${k.target.schema}.${k.target.table}(${k.target.columns.join(', ')})` : 'nothing'}, spec says ${want}`);
      continue;
    }
    if (same.onDelete !== fk.onDelete)
      drift(fk.column, `foreign key is ON DELETE ${(same.onDelete ?? 'no action').toUpperCase()}, spec says ON DELETE ${fk.onDelete.toUpperCase()}`);
  }
  for (const u of t.uniques) {
    const has =
      actual.constraints.some((k) => (k.kind === 'unique' || k.kind === 'primary') && k.columns.length === 1 && k.columns[0] === u.column) ||
      actual.indexes.some((i) => i.unique && i.columns.length === 1 && i.columns[0] === u.column);
    if (!has) drift(u.column, 'unique constraint missing');
  }
  const constraintNames = new Set(actual.constraints.map((k) => k.name));
  for (const name of t.checks) if (!constraintNames.has(name)) drift(null, `check constraint ${name} missing`);
  const indexNames = new Set(actual.indexes.map((i) => i.name));
  for (const name of t.indexes) if (!indexNames.has(name)) drift(null, `index ${name} missing`);

  // Row level security, policies and grants.
  switch (t.rls.kind) {
    case 'owner': {
      if (!actual.rowSecurity) drift(null, 'row level security is disabled, spec says enabled');
      const expectedNames = new Set(t.policies.map((p) => p.name));
      for (const p of t.policies) {
        const a = actual.policies.find((x) => x.name === p.name);
        if (!a) {
          drift(null, `policy "${p.name}" missing`);
          continue;
        }
        if (a.command !== COMMAND[p.operation]) drift(null, `policy "${p.name}" is FOR ${a.command}, spec says FOR ${COMMAND[p.operation]}`);
        if ([...a.roles].sort().join(',') !== [...p.roles].sort().join(','))
          drift(null, `policy "${p.name}" applies to ${a.roles.join(', ')}, spec says ${p.roles.join(', ')}`);
        if (!a.permissive) drift(null, `policy "${p.name}" is RESTRICTIVE, spec says PERMISSIVE`);
      }
      for (const a of actual.policies) {
        if (expectedNames.has(a.name)) continue;
        drift(
          null,
          `policy "${a.name}" is not in the spec (${a.permissive ? '' : 'RESTRICTIVE '}FOR ${a.command} TO ${a.roles.join(', ')}${a.using !== null ? ` USING ${a.using}` : ''}${a.check !== null ? ` WITH CHECK ${a.check}` : ''})`,
        );
      }
      for (const g of t.grants) {
        if (!catalog.roles.has(g.role)) {
          drift(null, `role ${g.role} does not exist`);
          continue;
        }
        const has = actual.privileges.get(g.role) ?? [];
        const lacking = g.operations.filter((op) => !has.includes(op));
        if (lacking.length)
          drift(
            null,
            `${g.role} lacks ${lacking.map((op) => COMMAND[op]).join(', ')} (${g.role === 'authenticated' ? 'allowed by the spec' : 'the backend key needs every operation'})`,
          );
      }
      break;
    }
    case 'waived':
    case 'unmanaged':
      break;
  }
  return out;
}

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
