/**
 * Probes: every owner rule tried by two signed-in users and by anon.
 *
 * Input: the expected schema, the catalog (for the real column types and the
 * columns a row must fill) and two user ids. Output: Probe[], each a cell of
 * the matrix tables × actors × operations: rows to seed (as the session
 * user, which bypasses RLS), then one or more attempts made as the actor.
 * The runner executes them inside savepoints; `judge` turns what it saw into
 * a pass or a failure. Nothing here touches a database.
 *
 * The matrix, for owner column `o` and `allow: [...]`:
 * - owner (user A): each allowed operation works on A's row; an operation
 *   not allowed changes and reveals nothing;
 * - other (user B): A's row is invisible, cannot be updated or deleted; B
 *   cannot insert a row owned by A, nor move its own row to A;
 * - anon: sees nothing and writes nothing.
 */
import type { Operation } from '../model/types.js';
import { OPERATIONS } from '../model/types.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import type { Catalog, CatalogColumn, CatalogTable } from './catalog.js';
import { displayName, tableKeyOf, type ExpectedSchema, type ExpectedTable } from './expected.js';

/** Actor is who performs a probe: the row's owner (user A), another signed-in user (B), or an anonymous client. */
export type Actor = 'owner' | 'other' | 'anon';
/** Every actor, in the order of the matrix. */
export const ACTORS: readonly Actor[] = ['owner', 'other', 'anon'];

/** Expectation is what a probe must observe: the operation works on exactly the probe's row, or it is denied (no row, or a permission error). */
export type Expectation = 'works' | 'denied';

/** Measure says how an attempt's effect is counted: rows a SELECT returns (column `n`), or rows a write affected. */
export type Measure = 'rows' | 'affected';

/** Attempt is one statement an actor runs, and what it must observe. */
export interface Attempt {
  what: string;
  sql: string;
  measure: Measure;
  expect: Expectation;
  /** Said when an operation that should work found no row. */
  hint?: string;
}

/** Probe is one cell of the matrix. `blocked` says why it cannot run (it then fails). */
export interface Probe {
  table: string;
  actor: Actor;
  operation: Operation;
  expect: Expectation;
  seed: string[];
  attempts: Attempt[];
  blocked: string | null;
}

/** ProbeUsers are the two signed-in users: A owns the rows, B tries to reach them. */
export interface ProbeUsers {
  a: string;
  b: string;
}

/** Observation is what running an attempt gave: a count, or PostgreSQL's error. */
export type Observation = { ok: true; count: number } | { ok: false; code: string; message: string };

/** Outcome is what a probe saw: the operation worked, was denied, failed with another error, or could not run. */
export type Outcome = 'works' | 'denied' | 'error' | 'not run';

/** ProbeResult is one judged cell of the matrix. */
export interface ProbeResult {
  table: string;
  actor: Actor;
  operation: Operation;
  expect: Expectation;
  outcome: Outcome;
  pass: boolean;
  /** Why it failed, in words; null when it passed. */
  detail: string | null;
}

/** SQLSTATE insufficient_privilege: what PostgreSQL raises for a missing grant and for a row that violates a policy. */
export const DENIED = '42501';

/** SQL that makes the session act as `actor` until the enclosing savepoint is rolled back. */
export function actorSql(actor: Actor, users: ProbeUsers): string {
  const claims = (sub: string | null, role: string): string => {
    const json = JSON.stringify(sub === null ? { role } : { sub, role });
    return `SELECT pg_catalog.set_config('request.jwt.claims', ${quoteLiteral(json)}, true), pg_catalog.set_config('request.jwt.claim.sub', ${quoteLiteral(sub ?? '')}, true), pg_catalog.set_config('request.jwt.claim.role', ${quoteLiteral(role)}, true);`;
  };
  switch (actor) {
    case 'owner':
      return `SET LOCAL ROLE authenticated; ${claims(users.a, 'authenticated')}`;
    case 'other':
      return `SET LOCAL ROLE authenticated; ${claims(users.b, 'authenticated')}`;
    case 'anon':
      return `SET LOCAL ROLE anon; ${claims(null, 'anon')}`;
  }
}

/** The statement that creates the two probe users (as the session user). */
export function usersSql(users: ProbeUsers): string {
  return `INSERT INTO auth.users (id) VALUES (${quoteLiteral(users.a)}::uuid), (${quoteLiteral(users.b)}::uuid)`;
}

/** The tables that get probes: those with an owner rule. */
export function probedTables(expected: ExpectedSchema): ExpectedTable[] {
  return expected.tables.filter((t) => t.managed && t.rls.kind === 'rules' && t.rls.owner !== null);
}

/** Plans every probe. `uuid` makes fresh ids for the values of probe rows. */
export function planProbes(expected: ExpectedSchema, catalog: Catalog, users: ProbeUsers, uuid: () => string): Probe[] {
  const out: Probe[] = [];
  const rows = new RowMaker(expected, catalog, uuid);
  for (const t of probedTables(expected)) {
    if (t.rls.kind !== 'rules' || t.rls.owner === null) continue;
    const name = displayName(t.schema, t.name);
    const actual = catalog.tables.get(tableKeyOf(t));
    const ownerColumn = actual?.columns.find((c) => c.name === (t.rls.kind === 'rules' ? t.rls.owner : ''));
    const blocked = !actual ? `table ${name} is missing` : !ownerColumn ? `owner column ${name}.${t.rls.owner} is missing` : null;
    for (const actor of ACTORS) {
      for (const operation of OPERATIONS) {
        const expect: Expectation = actor === 'owner' && t.rls.allow.includes(operation) ? 'works' : 'denied';
        const probe: Probe = { table: name, actor, operation, expect, seed: [], attempts: [], blocked };
        if (!blocked) {
          try {
            plan(probe, t, actual!, ownerColumn!, users, rows);
          } catch (error) {
            if (!(error instanceof CannotFill)) throw error;
            probe.blocked = error.message;
          }
        }
        out.push(probe);
      }
    }
  }
  return out;
}

function plan(probe: Probe, t: ExpectedTable, actual: CatalogTable, owner: CatalogColumn, users: ProbeUsers, rows: RowMaker): void {
  const table = qualified(t.schema, t.name);
  const o = quoteIdent(owner.name);
  const user = (id: string): string => `${quoteLiteral(id)}::${owner.type}`;
  const ofA = `${o} = ${user(users.a)}`;
  const seedRow = (id: string): void => {
    const r = rows.row(t, actual, id);
    probe.seed.push(...r.parents, r.insert);
  };
  const noSelect = probe.expect === 'works' && t.rls.kind === 'rules' && !t.rls.allow.includes('select');
  const hint =
    noSelect && (probe.operation === 'update' || probe.operation === 'delete')
      ? `PostgreSQL finds the rows of ${probe.operation.toUpperCase()} ... WHERE through the SELECT policies, and \`allow\` has no select`
      : undefined;
  const attempt = (what: string, sql: string, measure: Measure, expect: Expectation = probe.expect): void => {
    probe.attempts.push(hint ? { what, sql, measure, expect, hint } : { what, sql, measure, expect });
  };
  const who = probe.actor === 'owner' ? 'user A' : probe.actor === 'other' ? 'user B' : 'anon';
  const rowOfA = probe.actor === 'owner' ? 'its own row' : "user A's row";
  switch (probe.operation) {
    case 'select':
      seedRow(users.a);
      if (probe.actor === 'anon') attempt('anon reads the table', `SELECT count(*)::int AS n FROM ${table}`, 'rows');
      else attempt(`${who} reads ${rowOfA}`, `SELECT count(*)::int AS n FROM ${table} WHERE ${ofA}`, 'rows');
      return;
    case 'insert': {
      const r = rows.row(t, actual, users.a);
      probe.seed.push(...r.parents);
      attempt(probe.actor === 'owner' ? 'user A inserts its own row' : `${who} inserts a row owned by user A`, r.insert, 'affected');
      return;
    }
    case 'update':
      seedRow(users.a);
      attempt(`${who} updates ${rowOfA}`, `UPDATE ${table} SET ${o} = ${o} WHERE ${ofA}`, 'affected');
      if (probe.actor === 'other') {
        seedRow(users.b);
        attempt('user B moves its own row to user A', `UPDATE ${table} SET ${o} = ${user(users.a)} WHERE ${o} = ${user(users.b)}`, 'affected', 'denied');
      }
      return;
    case 'delete':
      seedRow(users.a);
      attempt(`${who} deletes ${rowOfA}`, `DELETE FROM ${table} WHERE ${ofA}`, 'affected');
      return;
  }
}

/** CannotFill is raised when a probe row cannot be made (a required column of a type verify cannot fill). */
class CannotFill extends Error {}

/** Makes INSERT statements for probe rows, parents first, with fresh values for every column that needs one. */
class RowMaker {
  private n = 0;
  /** Rows made so far per column with an `in` list. */
  private readonly turns = new Map<string, number>();
  private readonly expected: Map<string, ExpectedTable>;
  constructor(
    expected: ExpectedSchema,
    private readonly catalog: Catalog,
    private readonly uuid: () => string,
  ) {
    this.expected = new Map(expected.tables.map((t) => [tableKeyOf(t), t]));
  }

  /** A row of `t` owned by `user`; `fixed` forces column values (a parent's referenced column). */
  row(t: ExpectedTable, actual: CatalogTable, user: string, fixed: ReadonlyMap<string, string> = new Map(), depth = 0): { parents: string[]; insert: string } {
    const parents: string[] = [];
    const names: string[] = [];
    const values: string[] = [];
    const owner = t.rls.kind === 'rules' ? t.rls.owner : null;
    // Probes insert two rows; a column of a key left to its default (now(), '{}') would get one value twice.
    const unique = new Set([
      ...actual.constraints.filter((k) => k.kind === 'unique' || k.kind === 'primary').flatMap((k) => k.columns),
      ...actual.indexes.filter((i) => i.unique).flatMap((i) => i.columns),
    ]);
    for (const c of actual.columns) {
      let value = fixed.get(c.name) ?? null;
      if (value === null && c.name === owner) value = `${quoteLiteral(user)}::${c.type}`;
      if (value === null && (c.generated || (c.default === null ? !c.notNull : !unique.has(c.name)))) continue;
      if (value === null) {
        const fk = actual.constraints.find((k) => k.kind === 'foreign' && k.columns.length === 1 && k.columns[0] === c.name && k.target);
        if (fk?.target) value = this.parent(t, c, fk.target, user, parents, depth);
      }
      if (value === null) {
        const declared = t.columns.find((x) => x.name === c.name)?.in;
        // The first allowed value, then the next for the next row of the table, so two rows of a unique column differ.
        const key = `${tableKeyOf(t)}.${c.name}`;
        const turn = this.turns.get(key) ?? 0;
        this.turns.set(key, turn + 1);
        const allowed = declared?.length ? declared[turn % declared.length] : undefined;
        if (allowed !== undefined) value = `${quoteLiteral(String(allowed))}::${c.type}`;
      }
      value ??= sampleLiteral(c, ++this.n, this.uuid, unique.has(c.name));
      if (value === null) throw new CannotFill(`cannot make a value of type ${c.type} for the required column ${displayName(t.schema, t.name)}.${c.name}`);
      names.push(quoteIdent(c.name));
      values.push(value);
    }
    const insert = `INSERT INTO ${qualified(t.schema, t.name)} (${names.join(', ')}) VALUES (${values.join(', ')})`;
    return { parents, insert };
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
    const isUser = actual.constraints.some(
      (k) => k.kind === 'foreign' && k.columns.length === 1 && k.columns[0] === column.name && k.target?.schema === 'auth' && k.target.table === 'users',
    );
    const value = isUser ? `${quoteLiteral(user)}::${column.type}` : sampleLiteral(column, ++this.n, this.uuid, true);
    if (value === null) throw new CannotFill(`cannot make a value of type ${column.type} for ${key}.${column.name}, which ${where} references`);
    const r = this.row(expected, actual, user, new Map([[column.name, value]]), depth + 1);
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

/** Judges one attempt. */
export function judge(attempt: Attempt, seen: Observation): { outcome: Outcome; pass: boolean; detail: string | null } {
  if (!seen.ok) {
    if (seen.code === DENIED) {
      const pass = attempt.expect === 'denied';
      return { outcome: 'denied', pass, detail: pass ? null : `${attempt.what}: expected it to work, PostgreSQL refused: ${seen.message}` };
    }
    return { outcome: 'error', pass: false, detail: `${attempt.what}: ${seen.message} (${seen.code})` };
  }
  const rows = `${seen.count} row${seen.count === 1 ? '' : 's'}`;
  const verb = attempt.measure === 'rows' ? 'saw' : 'changed';
  switch (attempt.expect) {
    case 'works':
      if (seen.count === 1) return { outcome: 'works', pass: true, detail: null };
      return {
        outcome: seen.count === 0 ? 'denied' : 'works',
        pass: false,
        detail: `${attempt.what}: expected it to work on exactly 1 row, it ${verb} ${rows}${seen.count === 0 && attempt.hint ? ` (${attempt.hint})` : ''}`,
      };
    case 'denied':
      if (seen.count === 0) return { outcome: 'denied', pass: true, detail: null };
      return { outcome: 'works', pass: false, detail: `${attempt.what}: expected nothing, it ${verb} ${rows}` };
  }
}

/** The result of a probe from the judgements of its attempts (all must pass), or from why it could not run. */
export function probeResult(probe: Probe, judged: ReadonlyArray<ReturnType<typeof judge>>, setupError: string | null = null): ProbeResult {
  const base = { table: probe.table, actor: probe.actor, operation: probe.operation, expect: probe.expect };
  const notRun = probe.blocked ?? setupError;
  if (notRun !== null) return { ...base, outcome: 'not run', pass: false, detail: notRun };
  const failed = judged.find((j) => !j.pass);
  if (failed) return { ...base, outcome: failed.outcome, pass: false, detail: failed.detail };
  return { ...base, outcome: probe.expect, pass: true, detail: null };
}
