/**
 * Probes: every access rule tried by the actors it is for and against.
 *
 * Input: the expected schema (each table's rules), the catalog (real column
 * types, keys, what a row must fill), four user ids and a way to read
 * expressions. Output: Probe[], each a cell of the matrix tables × actors ×
 * operations: rows to seed (as the session user, which bypasses RLS), then
 * one or more attempts made as the actor. The runner executes them inside
 * savepoints; `judge` turns what it saw into a pass or a failure. Nothing
 * here touches a database.
 *
 * Each table gets one scenario (./scenario.ts): a row "of user A" (owned by
 * A, in a group A is a member of with a role every members rule accepts,
 * under a parent A owns, where the `where` of public rules holds), perhaps a
 * row of A's where `where` does not hold, and the memberships. What each
 * actor may do to that row follows from the rules:
 * - user A: what its owner, parent and members rules allow, and the public
 *   and signed-in rules;
 * - member C (when a members rule names roles): a member of A's group with a
 *   role no rule names; it gets what members rules without roles allow;
 * - user B: only what public and signed-in rules allow; B also tries to move
 *   its own row to A (owner rule) or under A's parent (parent rule);
 * - anon: only what public rules allow;
 * - the service role: everything (it bypasses row level security).
 * A row is inserted only by its owner and under a parent its writer owns, so
 * inserting a row like A's is A's alone on tables with an owner or a parent
 * rule. Tables with hand-written policies are not probed (what they allow is
 * the policy's text); a waived or service-only table is denied to all but
 * the service role.
 */
import type { Operation } from '../model/types.js';
import { OPERATIONS } from '../model/types.js';
import { quoteLiteral } from '../sql/ident.js';
import type { Catalog, CatalogTable } from './catalog.js';
import { displayName, tableKeyOf, type ExpectedSchema, type ExpectedTable } from './expected.js';
import { CannotFill, RowMaker, type Parse } from './rows.js';
import { planTable, probeKinds, type RuleKindName } from './scenario.js';

/** Actor is who performs a probe: users A, C (a member with another role) and B, an anonymous client, or the service role. */
export type Actor = 'a' | 'c' | 'b' | 'anon' | 'service';
/** Every actor, in the order of the matrix. */
export const ACTORS: readonly Actor[] = ['a', 'c', 'b', 'anon', 'service'];
/** How the report names the actors. */
export const ACTOR_LABEL: Record<Actor, string> = { a: 'user A', c: 'member C', b: 'user B', anon: 'anon', service: 'service role' };

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

/** ProbeUsers are the signed-in users: A owns the rows, C is another member of A's group, B an outsider, D a user A adds to its group. */
export interface ProbeUsers {
  a: string;
  b: string;
  c: string;
  d: string;
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
    case 'a':
    case 'b':
    case 'c':
      return `SET LOCAL ROLE authenticated; ${claims(users[actor], 'authenticated')}`;
    case 'anon':
      return `SET LOCAL ROLE anon; ${claims(null, 'anon')}`;
    case 'service':
      return `SET LOCAL ROLE service_role; ${claims(null, 'service_role')}`;
  }
}

/** The statement that creates the probe users (as the session user). */
export function usersSql(users: ProbeUsers): string {
  return `INSERT INTO auth.users (id) VALUES ${[users.a, users.b, users.c, users.d].map((u) => `(${quoteLiteral(u)}::uuid)`).join(', ')}`;
}

/** The tables that get probes: pamc's tables with access rules (none written as policies), and waived tables with exact grants. */
export function probedTables(expected: ExpectedSchema): ExpectedTable[] {
  return expected.tables.filter((t) => t.managed && probeKinds(t) !== null);
}

/** Which rule kinds the probes try, and on how many tables each; tables with written policies are counted apart. */
export function probedRuleKinds(expected: ExpectedSchema): { kinds: Partial<Record<RuleKindName, number>>; unprobed: string[] } {
  const kinds: Partial<Record<RuleKindName, number>> = {};
  const unprobed: string[] = [];
  for (const t of expected.tables.filter((x) => x.managed)) {
    const found = probeKinds(t);
    if (found === null) {
      if (t.rls.kind === 'rules') unprobed.push(displayName(t.schema, t.name));
      continue;
    }
    for (const k of found) kinds[k] = (kinds[k] ?? 0) + 1;
  }
  return { kinds, unprobed };
}

/** Plans every probe. `uuid` makes fresh ids for the values of probe rows; `parse` reads checks and row filters. */
export function planProbes(expected: ExpectedSchema, catalog: Catalog, users: ProbeUsers, uuid: () => string, parse: Parse): Probe[] {
  const rows = new RowMaker(expected, catalog, uuid, parse);
  const lookup = (schema: string, name: string): { expected: ExpectedTable; actual: CatalogTable } | undefined => {
    const e = expected.tables.find((x) => x.schema === schema && x.name === name);
    const a = catalog.tables.get(`${schema}.${name}`);
    return e && a ? { expected: e, actual: a } : undefined;
  };
  const out: Probe[] = [];
  for (const t of probedTables(expected)) {
    const name = displayName(t.schema, t.name);
    const actual = catalog.tables.get(tableKeyOf(t));
    try {
      if (!actual) throw new CannotFill(`table ${name} is missing`);
      out.push(...planTable(t, actual, users, rows, parse, lookup));
    } catch (error) {
      if (!(error instanceof CannotFill)) throw error;
      // One reason, every cell: the report says it once per table.
      for (const actor of ACTORS.filter((a) => a !== 'c'))
        for (const operation of OPERATIONS) out.push({ table: name, actor, operation, expect: 'denied', seed: [], attempts: [], blocked: error.message });
    }
  }
  return out;
}

/** Judges one attempt. */
export function judge(attempt: Attempt, seen: Observation): { outcome: Outcome; pass: boolean; detail: string | null } {
  if (!seen.ok) {
    if (seen.code === DENIED) {
      const pass = attempt.expect === 'denied';
      return {
        outcome: 'denied',
        pass,
        detail: pass ? null : `${attempt.what}: expected it to work, PostgreSQL refused: ${seen.message}${attempt.hint ? ` (${attempt.hint})` : ''}`,
      };
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

export { sampleLiteral } from './rows.js';
