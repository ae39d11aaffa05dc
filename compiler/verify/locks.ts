/**
 * Locks: what the migrations will lock on a live server, how long verify
 * waits for a lock, and who was in the way when it gave up.
 *
 * Input: the migrations' parse trees (./split). Output: PlannedLock[], the
 * table locks that conflict with an application's reads or writes (SHARE
 * and stronger), which verify takes up front in one all-or-nothing step so
 * that it never holds some tables while it waits for another; the retry
 * policy; and the SQL and reading of pg_locks/pg_stat_activity that names
 * the sessions holding a lock verify waits for. Pure: no database.
 */
import { qualified, quoteIdent } from '../sql/ident.js';
import type { SqlStatement } from '../sql/parser.js';
import { positionOf, statementHead, type SplitMigration } from './split.js';

/** LockMode is a table lock mode that conflicts with an application's INSERT, UPDATE or DELETE (SHARE and stronger). */
export type LockMode = 'SHARE' | 'SHARE ROW EXCLUSIVE' | 'EXCLUSIVE' | 'ACCESS EXCLUSIVE';

const STRENGTH: Record<LockMode, number> = { SHARE: 1, 'SHARE ROW EXCLUSIVE': 2, EXCLUSIVE: 3, 'ACCESS EXCLUSIVE': 4 };
/** LockStmt's mode numbers (lockdefs.h) from SHARE up. */
const LOCK_STMT_MODES: Record<number, LockMode> = { 5: 'SHARE', 6: 'SHARE ROW EXCLUSIVE', 7: 'EXCLUSIVE', 8: 'ACCESS EXCLUSIVE' };

/** PlannedLock is a table lock one of the migrations takes, and the first statement that takes it. */
export interface PlannedLock {
  /** The table as SQL names it (schema-qualified when the statement qualifies it). */
  relation: string;
  mode: LockMode;
  /** Taken only while this table does not exist yet: CREATE TABLE locks the tables its foreign keys reference only when it creates the table. */
  unlessExists: string | null;
  file: string;
  line: number;
  statement: string;
}

type Node = Record<string, unknown>;
type RangeVar = { schemaname?: string; relname?: string };

function nameOf(r: unknown): string | null {
  const v = r as RangeVar | undefined;
  if (!v || typeof v.relname !== 'string') return null;
  return v.schemaname ? qualified(v.schemaname, v.relname) : quoteIdent(v.relname);
}

function listName(items: unknown): string | null {
  const parts = ((items as { List?: { items?: Node[] } })?.List?.items ?? []).map((i) => (i.String as { sval?: string } | undefined)?.sval);
  if (parts.length === 0 || parts.some((p) => typeof p !== 'string')) return null;
  return (parts as string[]).map(quoteIdent).join('.');
}

/** The tables a list of constraints references through foreign keys. */
function foreignTargets(constraints: unknown): string[] {
  const out: string[] = [];
  for (const c of (constraints as Node[] | undefined) ?? []) {
    const k = c.Constraint as { contype?: string; pktable?: unknown } | undefined;
    const name = k?.contype === 'CONSTR_FOREIGN' ? nameOf(k.pktable) : null;
    if (name) out.push(name);
  }
  return out;
}

type Wanted = Array<{ relation: string; mode: LockMode; unlessExists: string | null }>;

function alterTableLocks(s: Node): Wanted {
  if (s.objtype !== 'OBJECT_TABLE') return [];
  const table = nameOf(s.relation);
  if (!table) return [];
  const out: Wanted = [{ relation: table, mode: 'ACCESS EXCLUSIVE', unlessExists: null }];
  for (const c of (s.cmds as Node[] | undefined) ?? []) {
    const def = (c.AlterTableCmd as { def?: Node } | undefined)?.def;
    const targets = [...foreignTargets(def?.Constraint ? [def] : []), ...foreignTargets((def?.ColumnDef as Node | undefined)?.constraints)];
    for (const t of targets) out.push({ relation: t, mode: 'SHARE ROW EXCLUSIVE', unlessExists: null });
  }
  return out;
}

function createTableLocks(s: Node): Wanted {
  const created = nameOf(s.relation);
  const out: Wanted = [];
  for (const e of (s.tableElts as Node[] | undefined) ?? []) {
    const targets = e.Constraint ? foreignTargets([e]) : foreignTargets((e.ColumnDef as Node | undefined)?.constraints);
    for (const t of targets) out.push({ relation: t, mode: 'SHARE ROW EXCLUSIVE', unlessExists: created });
  }
  return out;
}

function dropLocks(s: Node): Wanted {
  const objects = (s.objects as unknown[] | undefined) ?? [];
  if (s.removeType === 'OBJECT_TABLE')
    return objects.flatMap((o) => listName(o) ?? []).map((relation) => ({ relation, mode: 'ACCESS EXCLUSIVE', unlessExists: null }));
  if (s.removeType === 'OBJECT_POLICY' || s.removeType === 'OBJECT_TRIGGER' || s.removeType === 'OBJECT_RULE') {
    // The last name is the policy, trigger or rule; the ones before it name the table.
    return objects.flatMap((o) => {
      const items = (o as { List?: { items?: unknown[] } }).List?.items ?? [];
      const table = listName({ List: { items: items.slice(0, -1) } });
      return table ? [{ relation: table, mode: 'ACCESS EXCLUSIVE' as const, unlessExists: null }] : [];
    });
  }
  return [];
}

/** The table locks (SHARE and stronger) one statement takes, by its parse tree; statements whose locks cannot be told (DO blocks) take none here. */
export function statementLocks(stmt: Record<string, unknown>): Wanted {
  const [kind, body] = Object.entries(stmt)[0] ?? ['', {}];
  const s = body as Node;
  const one = (relation: unknown, mode: LockMode): Wanted => {
    const name = nameOf(relation);
    return name ? [{ relation: name, mode, unlessExists: null }] : [];
  };
  switch (kind) {
    case 'AlterTableStmt':
      return alterTableLocks(s);
    case 'CreateStmt':
      return createTableLocks(s);
    case 'IndexStmt':
      return s.concurrent ? [] : one(s.relation, 'SHARE');
    case 'CreatePolicyStmt':
    case 'AlterPolicyStmt':
      return one(s.table, 'ACCESS EXCLUSIVE');
    case 'CreateTrigStmt':
      return one(s.relation, 'SHARE ROW EXCLUSIVE');
    case 'RuleStmt':
      return one(s.relation, 'ACCESS EXCLUSIVE');
    case 'RefreshMatViewStmt':
      return one(s.relation, s.concurrent ? 'EXCLUSIVE' : 'ACCESS EXCLUSIVE');
    case 'RenameStmt':
      return s.renameType === 'OBJECT_TABLE' || s.relationType === 'OBJECT_TABLE' ? one(s.relation, 'ACCESS EXCLUSIVE') : [];
    case 'TruncateStmt':
      return ((s.relations as Node[] | undefined) ?? []).flatMap((r) => one(r.RangeVar, 'ACCESS EXCLUSIVE'));
    case 'LockStmt': {
      const mode = LOCK_STMT_MODES[Number(s.mode)];
      return mode ? ((s.relations as Node[] | undefined) ?? []).flatMap((r) => one(r.RangeVar, mode)) : [];
    }
    case 'DropStmt':
      return dropLocks(s);
    default:
      return [];
  }
}

/** Every table lock the migrations take, the strongest mode per table, in the order the migrations first need them. */
export function lockPlan(migrations: readonly SplitMigration[]): PlannedLock[] {
  const byTable = new Map<string, PlannedLock>();
  for (const m of migrations) {
    for (const s of m.statements) {
      for (const w of statementLocks(s.stmt)) {
        const key = `${w.relation}\u0000${w.unlessExists ?? ''}`;
        const had = byTable.get(key);
        if (had && STRENGTH[had.mode] >= STRENGTH[w.mode]) continue;
        byTable.set(key, had ? { ...had, mode: w.mode } : { ...w, ...where(m, s) });
      }
    }
  }
  return [...byTable.values()];
}

function where(m: SplitMigration, s: SqlStatement): { file: string; line: number; statement: string } {
  return { file: m.file.path, line: positionOf(m.file.text, s.code).line, statement: statementHead(m.file.text, s) };
}

/**
 * Which planned locks to take now (parameters: the relations and their
 * unlessExists): tables that exist, that the session may lock (LOCK in these
 * modes needs UPDATE, DELETE or TRUNCATE, or ownership), and whose condition
 * holds. Returns the 1-based positions of those to take.
 */
export const LOCKABLE_SQL = `SELECT w.i::int AS i
FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS w(name, unless, i)
JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(w.name)
WHERE c.relkind IN ('r', 'p') AND (w.unless IS NULL OR pg_catalog.to_regclass(w.unless) IS NULL)
  AND (pg_catalog.pg_has_role(c.relowner, 'USAGE') OR pg_catalog.has_table_privilege(c.oid, 'UPDATE, DELETE, TRUNCATE'))
ORDER BY 1`;

/** One lock per table: the strongest mode `locks` ask for it, in first-asked order. */
export function strongestPerTable(locks: readonly PlannedLock[]): PlannedLock[] {
  const out = new Map<string, PlannedLock>();
  for (const l of locks) {
    const had = out.get(l.relation);
    if (!had || STRENGTH[l.mode] > STRENGTH[had.mode]) out.set(l.relation, had ? { ...had, mode: l.mode } : l);
  }
  return [...out.values()];
}

/** The LOCK statements that take `locks` (strongest mode first), as one text. */
export function lockSql(locks: readonly PlannedLock[]): string {
  const modes = [...new Set(locks.map((l) => l.mode))].sort((a, b) => STRENGTH[b] - STRENGTH[a]);
  return modes.map((mode) => `LOCK TABLE ${[...new Set(locks.filter((l) => l.mode === mode).map((l) => l.relation))].join(', ')} IN ${mode} MODE;`).join('\n');
}

/** LockPolicy is how long one statement waits for a lock, how often verify tries again, and how long it waits in between (doubling). */
export interface LockPolicy {
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

export const DEFAULT_LOCK_POLICY: LockPolicy = { timeoutMs: 1000, retries: 3, backoffMs: 100 };
export const DEFAULT_STATEMENT_TIMEOUT_MS = 60_000;

/** SQLSTATEs: lock_not_available (lock_timeout), deadlock_detected, query_canceled (statement_timeout or a cancel). */
export const LOCK_NOT_AVAILABLE = '55P03';
export const DEADLOCK_DETECTED = '40P01';
export const QUERY_CANCELED = '57014';

/** Whether an error means a lock could not be had (so trying again later may work). */
export function isLockFailure(code: string): boolean {
  return code === LOCK_NOT_AVAILABLE || code === DEADLOCK_DETECTED;
}

/** The wait before attempt `attempt + 1` (0-based attempt that failed). */
export function backoffMs(policy: LockPolicy, attempt: number): number {
  return policy.backoffMs * 2 ** attempt;
}

/** The longest one statement can spend on locks before verify gives up: every attempt's lock timeout and every backoff. */
export function lockBudgetMs(policy: LockPolicy): number {
  let total = (policy.retries + 1) * policy.timeoutMs;
  for (let i = 0; i < policy.retries; i++) total += backoffMs(policy, i);
  return total;
}

/** Blocker is a session that holds (or waits ahead for) a lock verify waits for, as pg_stat_activity shows it. */
export interface Blocker {
  pid: number;
  application: string;
  user: string;
  state: string;
  /** How long its transaction has been open, in seconds; null outside a transaction. */
  transactionSeconds: number | null;
  /** The start of its current or last query. */
  query: string;
}

/** LockWait is what verify's session was seen waiting for, and who held it up. */
export interface LockWait {
  waitingFor: string | null;
  blockers: Blocker[];
}

/** What the session with pid $1 waits for (pg_locks) and the sessions blocking it (pg_blocking_pids, pg_stat_activity): one row per blocker, or one row without. */
export const LOCK_WAIT_SQL = `SELECT w.waiting, a.pid, a.application_name, a.usename::text AS usename, a.state,
  extract(epoch FROM now() - a.xact_start)::float8 AS xact_seconds, left(a.query, 120) AS query
FROM (SELECT string_agg(l.mode || ' on ' || coalesce(l.relation::regclass::text, l.locktype), ', ') AS waiting
      FROM pg_catalog.pg_locks l WHERE l.pid = $1 AND NOT l.granted) w
LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = ANY (pg_catalog.pg_blocking_pids($1))
ORDER BY a.xact_start NULLS LAST, a.pid`;

/** Reads the rows of LOCK_WAIT_SQL; null when the session was not waiting. */
export function lockWaitOf(rows: ReadonlyArray<Record<string, unknown>>): LockWait | null {
  const waitingFor = rows[0]?.waiting === null || rows[0]?.waiting === undefined ? null : String(rows[0].waiting);
  const blockers = rows
    .filter((r) => r.pid !== null && r.pid !== undefined)
    .map((r) => ({
      pid: Number(r.pid),
      application: String(r.application_name ?? ''),
      user: String(r.usename ?? ''),
      state: String(r.state ?? ''),
      transactionSeconds: r.xact_seconds === null || r.xact_seconds === undefined ? null : Number(r.xact_seconds),
      query: String(r.query ?? '')
        .replace(/\s+/g, ' ')
        .trim(),
    }));
  return waitingFor === null && blockers.length === 0 ? null : { waitingFor, blockers };
}

/** One line about a blocker: pid, application, state, how long its transaction has run, the start of its query. */
export function describeBlocker(b: Blocker): string {
  const open = b.transactionSeconds === null ? 'no transaction' : `transaction open ${b.transactionSeconds.toFixed(1)} s`;
  return `pid ${b.pid} (application "${b.application}", user ${b.user || '?'}, ${b.state || 'unknown state'}, ${open}): ${b.query || '(no query)'}`;
}
