/**
 * Probe rows: INSERT statements for rows of the spec's tables, parents first,
 * with a value for every column that needs one: fixed ones (the row's owner,
 * group or parent), values that pass the column's check, `in` values, and
 * fresh samples of the column's type. Pure: the runner executes them.
 */
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import type { Catalog, CatalogColumn, CatalogTable } from './catalog.js';
import { displayName, tableKeyOf, type ExpectedSchema, type ExpectedTable } from './expected.js';
import { solve, type Kind, type Value } from './solve.js';

/** CannotFill is raised when a probe row cannot be made; its message names the column and how to help. */
export class CannotFill extends Error {}

/** A row made for a probe: the rows it needs first, its INSERT, and the literal of each column it sets. */
export interface ProbeRow {
  parents: string[];
  insert: string;
  values: Map<string, string>;
}

/** Type categories without an equality operator (json, geometry, xml): no WHERE can name a row by them. */
export const NO_EQUALITY: ReadonlySet<string> = new Set(['json', 'xml', 'point', 'line', 'lseg', 'path', 'polygon', 'circle']);

/** Parse is how the row maker reads a check: the expression's tree, or null. */
export type Parse = (expression: string) => Record<string, unknown> | null;

function kind(c: CatalogColumn): Kind {
  if (c.category === 'N') return 'number';
  if (c.category === 'B') return 'boolean';
  return c.category === 'S' ? 'string' : 'other';
}

/** The SQL literal of a solved value, of the column's type. */
export function literal(c: Pick<CatalogColumn, 'type'>, v: Value): string {
  return v === null ? 'NULL' : `${quoteLiteral(String(v))}::${c.type}`;
}

/** A table's keys: primary, unique constraints, unique indexes (each a non-empty list of columns). */
export function uniqueKeysOf(actual: CatalogTable): string[][] {
  return [
    ...actual.constraints.filter((k) => k.kind === 'primary' || k.kind === 'unique').map((k) => k.columns),
    ...actual.indexes.filter((i) => i.unique).map((i) => i.columns),
  ].filter((k) => k.length > 0);
}

/** The columns a probe row of the table fills with its user's id: its owner, and references to auth.users. */
function userColumns(expected: ExpectedTable, actual: CatalogTable): Set<string> {
  const out = new Set<string>();
  if (expected.rls.kind === 'rules' && expected.rls.owner) out.add(expected.rls.owner);
  for (const k of actual.constraints)
    if (k.kind === 'foreign' && k.columns.length === 1 && k.target?.schema === 'auth' && k.target.table === 'users') out.add(k.columns[0]!);
  return out;
}

/** Makes probe rows; one maker serves a whole plan, so every sampled value is fresh. */
export class RowMaker {
  private n = 0;
  /** Rows made so far per column with an `in` list. */
  private readonly turns = new Map<string, number>();
  private readonly expected: Map<string, ExpectedTable>;
  /** Rows there is one of per user (keyed by the user, or by a unique key of user columns), with the key children reference. */
  private readonly userRows = new Map<string, { row: ProbeRow; value: string }>();
  constructor(
    expected: ExpectedSchema,
    private readonly catalog: Catalog,
    private readonly uuid: () => string,
    private readonly parse: Parse,
  ) {
    this.expected = new Map(expected.tables.map((t) => [tableKeyOf(t), t]));
  }

  /** A fresh value of a column's type (distinct from every other this maker made). */
  sample(c: CatalogColumn, distinct = true): string | null {
    return sampleLiteral(c, ++this.n, this.uuid, distinct);
  }

  /** Values that pass a column's check, jointly with the other columns it names; null when it has none. */
  private checked(t: ExpectedTable, actual: CatalogTable, column: string, unique: boolean): Map<string, string> | null {
    const check = t.columns.find((c) => c.name === column)?.check;
    if (!check) return null;
    const tree = this.parse(check);
    const kinds = new Map(actual.columns.map((c) => [c.name, kind(c)]));
    const nonNull = new Set(actual.columns.filter((c) => c.notNull).map((c) => c.name));
    const domains = new Map(t.columns.filter((c) => c.in?.length).map((c) => [c.name, c.in!]));
    const found = tree ? solve(tree, true, { kinds, nonNull, domains, ...(unique ? { fresh: ++this.n } : {}) }) : null;
    // A check this does not read, or one on dates, intervals and the like (which this compares as text): the column's usual
    // value, and PostgreSQL judges it (a refusal names the check and how to help).
    if (!found || [...found.keys()].some((c) => kinds.get(c) === 'other')) return null;
    return new Map(
      [...found].map(([name, v]) => [
        name,
        literal(
          actual.columns.find((c) => c.name === name)!,
          v,
        ),
      ]),
    );
  }

  /** A row of `t` for `user` (its owner, and the user of every reference to auth.users); `fixed` forces column values. */
  row(t: ExpectedTable, actual: CatalogTable, user: string, fixed: ReadonlyMap<string, string> = new Map(), depth = 0): ProbeRow {
    const parents: string[] = [];
    const values = new Map(fixed);
    const owner = t.rls.kind === 'rules' ? t.rls.owner : null;
    // The columns the rules reach rows through are filled even where they may be NULL: a row under no parent or group proves nothing.
    const through = new Set(
      (t.rls.kind === 'rules' ? t.rls.rules : []).flatMap((r) =>
        r.rule.kind === 'parent' ? [r.rule.column.value] : r.rule.kind === 'members' ? [r.rule.group.value] : [],
      ),
    );
    // Probes insert two rows; a column of a key left to its default (now(), '{}') would get one value twice.
    const unique = new Set(uniqueKeysOf(actual).flat());
    for (const c of actual.columns) {
      if (values.has(c.name)) continue;
      if (c.name === owner) {
        values.set(c.name, `${quoteLiteral(user)}::${c.type}`);
        continue;
      }
      if (c.generated || (!through.has(c.name) && (c.default === null ? !c.notNull : !unique.has(c.name)))) continue;
      const value = this.value(t, actual, c, user, parents, depth, unique.has(c.name));
      if (typeof value === 'string') values.set(c.name, value);
      else for (const [name, v] of value) if (!values.has(name)) values.set(name, v);
    }
    this.identify(t, actual, values, user, parents, depth, unique);
    const names = actual.columns.filter((c) => values.has(c.name));
    const insert = `INSERT INTO ${qualified(t.schema, t.name)} (${names.map((c) => quoteIdent(c.name)).join(', ')}) VALUES (${names.map((c) => values.get(c.name)!).join(', ')})`;
    return { parents, insert, values };
  }

  /**
   * Probes name a row by a key it sets, else by the values it sets: a row of
   * nullable columns only would set none, so it gets a unique key's columns,
   * else the first column that can be compared.
   */
  private identify(
    t: ExpectedTable,
    actual: CatalogTable,
    values: Map<string, string>,
    user: string,
    parents: string[],
    depth: number,
    unique: ReadonlySet<string>,
  ): void {
    const settable = actual.columns.filter((c) => !c.generated);
    const comparable = settable.filter((c) => !NO_EQUALITY.has(c.typeName.replace(/^_/, '')));
    if (comparable.some((c) => values.has(c.name))) return;
    const key = uniqueKeysOf(actual).find((k) => k.every((name) => comparable.some((c) => c.name === name))) ?? comparable.slice(0, 1).map((c) => c.name);
    for (const name of key) {
      const c = actual.columns.find((x) => x.name === name)!;
      const value = this.value(t, actual, c, user, parents, depth, unique.has(name));
      if (typeof value === 'string') values.set(name, value);
      else for (const [n, v] of value) if (!values.has(n)) values.set(n, v);
    }
  }

  /** The value of a column that needs one: a parent's key, a value its check passes, an `in` value, a sample. */
  private value(
    t: ExpectedTable,
    actual: CatalogTable,
    c: CatalogColumn,
    user: string,
    parents: string[],
    depth: number,
    unique: boolean,
  ): string | Map<string, string> {
    const fk = actual.constraints.find((k) => k.kind === 'foreign' && k.columns.length === 1 && k.columns[0] === c.name && k.target);
    if (fk?.target) return this.parent(t, c, fk.target, user, parents, depth);
    const checked = this.checked(t, actual, c.name, unique);
    if (checked) return checked;
    const declared = t.columns.find((x) => x.name === c.name)?.in;
    if (declared?.length) {
      // The first allowed value, then the next for the next row of the table, so two rows of a unique column differ.
      const key = `${tableKeyOf(t)}.${c.name}`;
      const turn = this.turns.get(key) ?? 0;
      this.turns.set(key, turn + 1);
      return `${quoteLiteral(String(declared[turn % declared.length]))}::${c.type}`;
    }
    const sample = sampleLiteral(c, ++this.n, this.uuid, unique);
    if (sample === null) throw new CannotFill(`cannot make a value of type ${c.type} for the required column ${displayName(t.schema, t.name)}.${c.name}`);
    return sample;
  }

  private parent(
    t: ExpectedTable,
    c: CatalogColumn,
    target: { schema: string; table: string; columns: string[] },
    user: string,
    parents: string[],
    depth: number,
  ): string {
    if (target.schema === 'auth' && target.table === 'users') return `${quoteLiteral(user)}::${c.type}`;
    const where = `${displayName(t.schema, t.name)}.${c.name}`;
    const key = `${target.schema}.${target.table}`;
    const expected = this.expected.get(key);
    const actual = this.catalog.tables.get(key);
    const column = actual?.columns.find((x) => x.name === target.columns[0]);
    if (!expected || !actual || !column || depth >= 4)
      throw new CannotFill(`cannot fill the required column ${where}: it references ${key}, where verify cannot make a row`);
    // A key that is itself a user id (a profile keyed by auth.users) must be the user's id, not a fresh value.
    const isUser = userColumns(expected, actual);
    const keyIsUser = isUser.has(column.name);
    // A row keyed by the user (its key, or a unique key of user columns: one row per user) exists once per user:
    // every row that needs it gets the same INSERT and the same key, and seeds run it once.
    const mine = keyIsUser || uniqueKeysOf(actual).some((k) => k.every((c) => isUser.has(c))) ? `${key}|${user}` : null;
    const known = mine ? this.userRows.get(mine) : undefined;
    if (known) {
      parents.push(...known.row.parents, known.row.insert);
      return known.value;
    }
    const value = keyIsUser ? `${quoteLiteral(user)}::${column.type}` : sampleLiteral(column, ++this.n, this.uuid, true);
    if (value === null) throw new CannotFill(`cannot make a value of type ${column.type} for ${key}.${column.name}, which ${where} references`);
    const r = this.row(expected, actual, user, new Map([[column.name, value]]), depth + 1);
    if (mine) this.userRows.set(mine, { row: r, value });
    parents.push(...r.parents, r.insert);
    return value;
  }
}

const FIXED: Record<string, string> = {
  json: '{}',
  jsonb: '{}',
  bytea: '\\x00',
  interval: '1 day',
  time: '12:00:00',
  timetz: '12:00:00+00',
  bool: 'true',
  inet: '127.0.0.1',
  cidr: '10.0.0.0/24',
  macaddr: '08:00:2b:01:02:03',
  macaddr8: '08:00:2b:01:02:03:04:05',
  money: '1',
  point: '(0,0)',
  tsvector: 'probe',
  tsquery: 'probe',
  xml: '<probe/>',
};

/**
 * A literal of a column's type for probe rows; `n` makes values distinct (so
 * unique columns accept two rows). Null when verify cannot make one.
 * `distinct` asks for a distinct value also where one fixed value would do
 * (json, arrays): for a unique column.
 */
export function sampleLiteral(
  c: Pick<CatalogColumn, 'type' | 'typeName' | 'category' | 'enumFirst'>,
  n: number,
  uuid: () => string,
  distinct = false,
): string | null {
  const cast = (v: string): string => `${quoteLiteral(v)}::${c.type}`;
  if (distinct && (c.typeName === 'json' || c.typeName === 'jsonb')) return cast(`{"probe": ${n}}`);
  if (distinct && c.category === 'A') return cast(`{${n}}`);
  if (distinct && c.typeName === 'inet') return cast(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  if (distinct && c.typeName === 'time')
    return cast(`${String(Math.floor(n / 3600) % 24).padStart(2, '0')}:${String(Math.floor(n / 60) % 60).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`);
  if (distinct && c.typeName === 'interval') return cast(`${n} seconds`);
  if (distinct && c.typeName === 'bytea') return cast(`\\x${n.toString(16).padStart(8, '0')}`);
  if (distinct && c.typeName === 'bool') return cast(n % 2 === 0 ? 'true' : 'false');
  const day = new Date(Date.UTC(2026, 0, 1 + (n % 3650))).toISOString().slice(0, 10);
  switch (c.typeName) {
    case 'uuid':
      return cast(uuid());
    case 'date':
      return cast(day);
    case 'timestamptz':
      return cast(`${day} 12:00:00+00`);
    case 'timestamp':
      return cast(`${day} 12:00:00`);
    default:
      if (FIXED[c.typeName] !== undefined) return cast(FIXED[c.typeName]!);
  }
  switch (c.category) {
    case 'N':
      return cast(String(n));
    case 'S':
      return cast(`p${n}`);
    case 'B':
      return cast('true');
    case 'E':
      return c.enumFirst === null ? null : cast(c.enumFirst);
    case 'A':
      return cast('{}');
    case 'R':
      return cast('empty');
    case 'T':
      return cast('1 day');
    case 'I':
      return cast('127.0.0.1');
    default:
      return null;
  }
}
