/**
 * The scenario of one table's probes (see ./probes.ts): user A's row and
 * what it takes (its parents, A's memberships, values where the row filter
 * holds or not), who may do what to it under the table's rules, and the
 * attempts of each cell of the matrix. Pure.
 */
import type { MembersRule, OpenRule, Operation } from '../model/types.js';
import { OPERATIONS } from '../model/types.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import type { RuleState } from '../diff/state.js';
import { ruleOperations } from '../diff/state.js';
import type { CatalogTable } from './catalog.js';
import { displayName, type ExpectedTable } from './expected.js';
import { CannotFill, literal, NO_EQUALITY, RowMaker, uniqueKeysOf, type Parse, type ProbeRow } from './rows.js';
import { solve, type Kind } from './solve.js';
import { ACTORS, type Actor, type Attempt, type Expectation, type Measure, type Probe, type ProbeUsers } from './probes.js';

/** RuleKindName names what the probes try on a table: a kind of rule, or the table being left to the service role. */
export type RuleKindName = 'owner' | 'public' | 'signed_in' | 'parent' | 'members' | 'service_only' | 'waived';

/** The kinds of rule a table's probes try; null when it is not probed (not pamc's, or rules written as policies). */
export function probeKinds(t: ExpectedTable): RuleKindName[] | null {
  if (t.rls.kind === 'waived') return ['waived'];
  if (t.rls.kind !== 'rules' || t.rls.rules.some((r) => r.rule.kind === 'policy')) return null;
  if (t.rls.rules.length === 0) return ['service_only'];
  return [...new Set(t.rls.rules.map((r) => r.rule.kind as RuleKindName))];
}

/** The membership tables of a table's members rules: their expected and catalog form. */
export type Lookup = (schema: string, name: string) => { expected: ExpectedTable; actual: CatalogTable } | undefined;

/** Context is one table's scenario. */
interface Context {
  t: ExpectedTable;
  actual: CatalogTable;
  name: string;
  rules: RuleState[];
  owner: string | null;
  parent: { column: string; operations: Operation[] } | null;
  roles: { a: string | null; c: string | null };
  /** A's row, and every row the scenario needs: A's row's parents, A's row, the memberships. */
  a: ProbeRow;
  before: string[];
  /** A row of A's where the row filter does not hold, when the table has one. */
  hidden: ProbeRow | null;
  insert: ProbeRow;
  b: ProbeRow;
  /** A row of user B's under user A's parent row, when the table has a parent rule: what a foreign key alone would let B insert. */
  attach: ProbeRow | null;
}

function kinds(actual: CatalogTable): Map<string, Kind> {
  return new Map(actual.columns.map((c) => [c.name, c.category === 'N' ? 'number' : c.category === 'B' ? 'boolean' : c.category === 'S' ? 'string' : 'other']));
}

/** Values on one side of the row filter of the table's public and signed-in rules (empty when it has none). */
function filtered(t: ExpectedTable, actual: CatalogTable, parse: Parse, holds: boolean): Map<string, string> | null {
  const where = (t.rls.kind === 'rules' ? t.rls.rules : [])
    .map((r) => r.rule)
    .find((r): r is OpenRule => (r.kind === 'public' || r.kind === 'signed_in') && r.where !== null)?.where;
  if (!where) return new Map();
  const tree = parse(where.value);
  const nonNull = new Set(actual.columns.filter((c) => c.notNull).map((c) => c.name));
  const domains = new Map(t.columns.filter((c) => c.in?.length).map((c) => [c.name, c.in!]));
  const found = tree ? solve(tree, holds, { kinds: kinds(actual), nonNull, domains }) : null;
  if (!found) {
    if (!holds) return null;
    throw new CannotFill(
      `verify cannot make a row of ${displayName(t.schema, t.name)} where \`${where.value}\` holds, to probe its public rules; write it as comparisons of columns with constants`,
    );
  }
  return new Map(
    [...found].map(([c, v]) => [
      c,
      literal(
        actual.columns.find((x) => x.name === c)!,
        v,
      ),
    ]),
  );
}

/** The roles of A (accepted by every members rule that names roles, where one is) and C (accepted by none). */
function roles(members: readonly MembersRule[], lookup: Lookup): { a: string | null; c: string | null } {
  const lists = members.filter((m) => m.roles).map((m) => m.roles!.values.value);
  if (lists.length === 0) return { a: null, c: null };
  const a = lists[0]!.find((r) => lists.every((l) => l.includes(r))) ?? lists[0]![0]!;
  const through = members.find((m) => m.roles)!;
  const [schema, name] = through.through.value.includes('.') ? through.through.value.split('.') : ['public', through.through.value];
  const column = lookup(schema!, name!)?.expected.columns.find((c) => c.name === through.roles!.column);
  const named = new Set(lists.flat());
  const c = (column?.in ?? []).map(String).find((v) => !named.has(v)) ?? 'pamc_probe_member';
  return { a, c };
}

function membersOf(rules: readonly RuleState[]): Array<{ rule: MembersRule; state: RuleState }> {
  return rules.flatMap((state) => (state.rule.kind === 'members' ? [{ rule: state.rule, state }] : []));
}

/** The role column of a membership table, as the members rules through it that name roles say. */
function roleColumn(members: ReadonlyArray<{ rule: MembersRule; state: RuleState }>, through: { schema: string; name: string }): string | null {
  const named = members.find((m) => m.rule.roles && m.state.members?.name === through.name && m.state.members.schema === through.schema);
  return named?.rule.roles?.column ?? null;
}

/** A's row, its memberships (and C's), and the rows the attempts insert or move. */
function context(t: ExpectedTable, actual: CatalogTable, users: ProbeUsers, rows: RowMaker, parse: Parse, lookup: Lookup): Context {
  const rules = t.rls.kind === 'rules' ? t.rls.rules : [];
  const owner = t.rls.kind === 'rules' ? t.rls.owner : null;
  const parentState = rules.find((r) => r.rule.kind === 'parent');
  const parent = parentState?.rule.kind === 'parent' ? { column: parentState.rule.column.value, operations: ruleOperations(parentState) } : null;
  const members = membersOf(rules);
  const who = roles(
    members.map((m) => m.rule),
    lookup,
  );
  const self = members.find((m) => m.state.members?.name === t.name && m.state.members.schema === t.schema);
  const selfRole = self ? roleColumn(members, self.state.members!) : null;
  const selfFixed = (user: string, role: string | null): Map<string, string> => {
    const out = new Map<string, string>();
    if (!self) return out;
    out.set(
      self.rule.user.value,
      literal(
        actual.columns.find((c) => c.name === self.rule.user.value)!,
        user,
      ),
    );
    if (selfRole && role)
      out.set(
        selfRole,
        literal(
          actual.columns.find((c) => c.name === selfRole)!,
          role,
        ),
      );
    return out;
  };
  const whereTrue = filtered(t, actual, parse, true)!;
  const a = rows.row(t, actual, users.a, new Map([...whereTrue, ...selfFixed(users.a, who.a)]));
  const before = [...a.parents, a.insert, ...memberships(members, a, users, who, rows, lookup, t)];
  const hiddenValues = filtered(t, actual, parse, false);
  const hidden =
    hiddenValues && hiddenValues.size
      ? rows.row(t, actual, users.a, new Map([...hiddenValues, ...keep(a, [owner, parent?.column, ...members.map((m) => m.rule.group.value)])]))
      : null;
  // A group that is the row's own key (teams.id) cannot be shared: the new row is a new group, with no members yet.
  const shared = keep(a, [owner, parent?.column, ...members.map((m) => m.rule.group.value).filter((g) => !isKey(actual, g))]);
  const insert = rows.row(t, actual, users.a, new Map([...whereTrue, ...shared, ...selfFixed(users.d, who.c ?? who.a)]));
  const b = rows.row(t, actual, users.b, new Map([...whereTrue, ...selfFixed(users.b, null)]));
  const attach = parent ? rows.row(t, actual, users.b, new Map([...whereTrue, ...keep(a, [parent.column])])) : null;
  return { t, actual, name: displayName(t.schema, t.name), rules, owner, parent, roles: who, a, before, hidden, insert, b, attach };
}

function keyColumns(actual: CatalogTable): string[] {
  return actual.constraints.find((k) => k.kind === 'primary')?.columns ?? [];
}

/** Whether `column` alone is the table's primary key. */
function isKey(actual: CatalogTable, column: string): boolean {
  const key = keyColumns(actual);
  return key.length === 1 && key[0] === column;
}

/** The values of `row` for `columns` (those that are set). */
function keep(row: ProbeRow, columns: ReadonlyArray<string | null | undefined>): Map<string, string> {
  return new Map(columns.filter((c): c is string => !!c && row.values.has(c)).map((c) => [c, row.values.get(c)!]));
}

/** A's membership in the group of A's row (and C's, with a role no rule names), for each membership table but the table itself. */
function memberships(
  members: ReadonlyArray<{ rule: MembersRule; state: RuleState }>,
  a: ProbeRow,
  users: ProbeUsers,
  who: { a: string | null; c: string | null },
  rows: RowMaker,
  lookup: Lookup,
  t: ExpectedTable,
): string[] {
  const out: string[] = [];
  const done = new Set<string>();
  for (const { rule, state } of members) {
    const through = state.members;
    const group = a.values.get(rule.group.value);
    if (!through || !group || done.has(`${through.schema}.${through.name}`)) continue;
    done.add(`${through.schema}.${through.name}`);
    const found = lookup(through.schema, through.name);
    if (!found) throw new CannotFill(`membership table ${through.schema}.${through.name} is missing`);
    const roles = roleColumn(members, through);
    const add = (user: string, role: string | null): void => {
      const fixed = new Map([[through.groupColumn, group]]);
      const userColumn = found.actual.columns.find((c) => c.name === rule.user.value)!;
      fixed.set(rule.user.value, literal(userColumn, user));
      if (roles && role)
        fixed.set(
          roles,
          literal(
            found.actual.columns.find((c) => c.name === roles)!,
            role,
          ),
        );
      const row = rows.row(found.expected, found.actual, user, fixed);
      out.push(...row.parents.filter((p) => !a.parents.includes(p)), row.insert);
    };
    if (through.name === t.name && through.schema === t.schema) {
      if (who.c) add(users.c, who.c);
      continue;
    }
    add(users.a, who.a);
    if (who.c) add(users.c, who.c);
  }
  return out;
}

/** Whether a members rule lets a member with `role` in. */
function accepts(rule: MembersRule, role: string | null): boolean {
  return !rule.roles || (role !== null && rule.roles.values.value.includes(role));
}

/** Whether `actor` may do `operation` to A's row (`holds`: its row filter holds), under the table's rules. */
export function allowed(ctx: Context, actor: Actor, operation: Operation, holds: boolean): boolean {
  if (actor === 'service') return true;
  // A new row belongs to whoever inserts it, and goes under a parent its writer owns.
  if (operation === 'insert' && actor !== 'a' && (ctx.owner || ctx.parent)) return false;
  return ctx.rules.some((state) => {
    const r = state.rule;
    if (!ruleOperations(state).includes(operation)) return false;
    switch (r.kind) {
      case 'owner':
      case 'parent':
        return actor === 'a';
      case 'members':
        if (operation === 'insert' && isKey(ctx.actual, r.group.value)) return false;
        return (actor === 'a' && accepts(r, ctx.roles.a)) || (actor === 'c' && accepts(r, ctx.roles.c));
      case 'public':
        return holds;
      case 'signed_in':
        return holds && actor !== 'anon';
      case 'policy':
        return false;
    }
  });
}

/** The table's keys: primary, unique constraints, unique indexes. */
function uniqueKeys(ctx: Context): string[][] {
  return uniqueKeysOf(ctx.actual);
}

/** Whether two rows share a key (a table keyed by its owner: a profile): then only one can exist. */
function sameKey(ctx: Context, a: ProbeRow, b: ProbeRow): boolean {
  return uniqueKeys(ctx).some((key) => key.length > 0 && key.every((c) => a.values.has(c) && a.values.get(c) === b.values.get(c)));
}

/**
 * A row, as a WHERE clause: its primary key, else a unique key it sets,
 * else every value it sets that can be compared.
 */
function keyWhere(ctx: Context, row: ProbeRow): string {
  const set = (columns: readonly string[]): boolean => columns.length > 0 && columns.every((c) => row.values.has(c) && row.values.get(c) !== 'NULL');
  const unique = uniqueKeys(ctx);
  const comparable = ctx.actual.columns.filter((c) => !NO_EQUALITY.has(c.typeName.replace(/^_/, ''))).map((c) => c.name);
  const key = unique.find(set) ?? comparable.filter((c) => row.values.has(c) && row.values.get(c) !== 'NULL');
  if (key.length === 0)
    throw new CannotFill(`verify tells probe rows apart by their key or values, and ${ctx.name} has neither that it can set; give the table a primary key`);
  return key.map((c) => `${quoteIdent(c)} = ${row.values.get(c)}`).join(' AND ');
}

const WHO: Record<Actor, string> = { a: 'user A', c: 'member C', b: 'user B', anon: 'anon', service: 'the service role' };

/** The attempts of one cell. */
function attempts(ctx: Context, actor: Actor, operation: Operation): { seed: string[]; attempts: Attempt[] } {
  const table = qualified(ctx.t.schema, ctx.t.name);
  const own = actor === 'a' ? 'its own row' : "user A's row";
  const expect = (holds = true): Expectation => (allowed(ctx, actor, operation, holds) ? 'works' : 'denied');
  const noSelect = (operation === 'update' || operation === 'delete') && expect() === 'works' && !allowed(ctx, actor, 'select', true);
  const hint = noSelect
    ? `PostgreSQL finds the rows of ${operation.toUpperCase()} ... WHERE with the SELECT privilege and policies, and no rule lets ${WHO[actor]} select them`
    : undefined;
  const out: Attempt[] = [];
  const attempt = (what: string, sql: string, measure: Measure, e: Expectation): void =>
    void out.push(hint ? { what, sql, measure, expect: e, hint } : { what, sql, measure, expect: e });
  const seed = operation === 'insert' && sameKey(ctx, ctx.a, ctx.insert) ? ctx.before.filter((s) => s !== ctx.a.insert) : [...ctx.before];
  if (operation === 'insert') seed.push(...ctx.insert.parents.filter((p) => !seed.includes(p)));
  switch (operation) {
    case 'select':
      attempt(`${WHO[actor]} reads ${own}`, `SELECT count(*)::int AS n FROM ${table} WHERE ${keyWhere(ctx, ctx.a)}`, 'rows', expect());
      if (ctx.hidden) {
        seed.push(...ctx.hidden.parents, ctx.hidden.insert);
        attempt(
          `${WHO[actor]} reads a row of user A's that the row filter hides`,
          `SELECT count(*)::int AS n FROM ${table} WHERE ${keyWhere(ctx, ctx.hidden)}`,
          'rows',
          expect(false),
        );
      }
      break;
    case 'insert':
      attempt(actor === 'a' ? 'user A inserts a row of its own' : `${WHO[actor]} inserts a row like user A's`, ctx.insert.insert, 'affected', expect());
      if (actor === 'b' && ctx.attach) {
        seed.push(...ctx.attach.parents.filter((p) => !seed.includes(p)));
        attempt("user B inserts a row of its own under user A's parent row", ctx.attach.insert, 'affected', 'denied');
      }
      break;
    case 'update': {
      const column = quoteIdent(ctx.actual.columns[0]!.name);
      attempt(`${WHO[actor]} updates ${own}`, `UPDATE ${table} SET ${column} = ${column} WHERE ${keyWhere(ctx, ctx.a)}`, 'affected', expect());
      if (actor === 'b') moves(ctx, table, seed, attempt);
      break;
    }
    case 'delete':
      attempt(`${WHO[actor]} deletes ${own}`, `DELETE FROM ${table} WHERE ${keyWhere(ctx, ctx.a)}`, 'affected', expect());
      break;
  }
  // The same INSERT twice is one row (a row keyed by its user, needed by two rows): it runs once.
  return { seed: [...new Set(seed)], attempts: out };
}

/** User B tries to move a row of its own to A: to A as owner (owner rule), under A's parent (parent rule). */
function moves(ctx: Context, table: string, seed: string[], attempt: (what: string, sql: string, measure: Measure, e: Expectation) => void): void {
  const moving: Array<[string, string]> = [];
  const ownerUpdates = ctx.rules.some((r) => r.rule.kind === 'owner' && ruleOperations(r).includes('update'));
  if (ctx.owner && ownerUpdates) moving.push([ctx.owner, 'user B moves its own row to user A']);
  if (ctx.parent) moving.push([ctx.parent.column, "user B moves its own row under user A's parent"]);
  if (moving.length === 0) return;
  seed.push(...ctx.b.parents, ctx.b.insert);
  for (const [column, what] of moving) {
    attempt(
      what,
      `UPDATE ${table} SET ${quoteIdent(column)} = ${ctx.a.values.get(column) ?? quoteLiteral('')} WHERE ${keyWhere(ctx, ctx.b)}`,
      'affected',
      'denied',
    );
  }
}

/** The probes of one table: every actor the rules concern, every operation. */
export function planTable(t: ExpectedTable, actual: CatalogTable, users: ProbeUsers, rows: RowMaker, parse: Parse, lookup: Lookup): Probe[] {
  const ctx = context(t, actual, users, rows, parse, lookup);
  const actors = ACTORS.filter((a) => a !== 'c' || ctx.roles.c !== null);
  return actors.flatMap((actor) =>
    OPERATIONS.map((operation): Probe => {
      const planned = attempts(ctx, actor, operation);
      return { table: ctx.name, actor, operation, expect: planned.attempts[0]!.expect, seed: planned.seed, attempts: planned.attempts, blocked: null };
    }),
  );
}
