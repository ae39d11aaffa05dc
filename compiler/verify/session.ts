/**
 * The transaction verify works in, and how every statement runs in it.
 *
 * Input: an open Connection and the limits (lock timeout, retries, statement
 * timeout, an AbortSignal). Output: a Session whose `step` runs one statement
 * under a savepoint and, on a server, retries it when it could not take a
 * lock, and whose `exec`/`query` run verify's own statements. When verify
 * cannot go on (no lock within its retries, the statement timeout, a cancel,
 * an interrupt) they throw Unverifiable: the run is not a verdict.
 *
 * On a server the session sets, for its transaction only: lock_timeout
 * (each statement waits at most that long for a lock), statement_timeout,
 * and idle_in_transaction_session_timeout (should pamc stop answering, the
 * server ends the transaction itself). While a statement runs longer than
 * half the lock timeout, a second session looks at what it waits for and who
 * holds it (./locks LOCK_WAIT_SQL), so that giving up names them.
 */
import { asDbError, type Connection, type DbError, type QueryResult } from './db.js';
import { backoffMs, isLockFailure, LOCK_WAIT_SQL, lockWaitOf, QUERY_CANCELED, type Blocker, type LockPolicy, type LockWait } from './locks.js';

/** AbortReason is why verify could not finish: no lock within its retries, the statement timeout, a cancel from elsewhere, or SIGINT/SIGTERM. */
export type AbortReason = 'lock-timeout' | 'statement-timeout' | 'canceled' | 'interrupted';

/** VerifyAbort is why and where verify stopped without a verdict; everything it did was rolled back. */
export interface VerifyAbort {
  reason: AbortReason;
  message: string;
  /** What verify was doing, in words. */
  step: string;
  file: string | null;
  line: number | null;
  column: number | null;
  statement: string | null;
  /** The SQLSTATE that ended it, when the database raised one. */
  code: string | null;
  /** How many times the statement was tried. */
  attempts: number;
  /** The lock verify was seen waiting for, e.g. "AccessExclusiveLock on trips". */
  waitingFor: string | null;
  blockers: Blocker[];
}

/** Unverifiable is thrown when verify has to stop without a verdict. It carries no SQLSTATE of its own, so no runner mistakes it for a refused statement. */
export class Unverifiable extends Error {
  constructor(readonly abort: VerifyAbort) {
    super(abort.message);
  }
}

/** StepPlace is where a statement comes from, for the report. */
export interface StepPlace {
  step: string;
  file?: string;
  line?: number;
  column?: number;
  statement?: string;
}

/** SessionOptions are the limits of a run. */
export interface SessionOptions {
  lock: LockPolicy;
  statementTimeoutMs: number;
  signal?: AbortSignal;
}

const STEP_PREFIX = 'SAVEPOINT pamc_step;\n';
const STEP_SUFFIX = '\n;RELEASE SAVEPOINT pamc_step;';

/** One run's transaction on a connection. */
export class Session {
  /** What verify is doing, for the report when a statement outside `step` cannot finish. */
  doing = 'starting';
  private pid: number | null = null;
  private seen: LockWait | null = null;
  private looking: Promise<void> | null = null;
  private readonly onAbort = (): void => {
    if (this.pid !== null) void this.db.aside?.('SELECT pg_catalog.pg_cancel_backend($1)', [this.pid]).catch(() => undefined);
  };

  constructor(
    readonly db: Connection,
    private readonly options: SessionOptions,
  ) {}

  /** BEGIN, and on a server the limits of this transaction; a signal from now on cancels the running statement. */
  async begin(): Promise<void> {
    this.interrupted();
    await this.db.exec('BEGIN');
    if (this.db.kind !== 'server') return;
    const { lock, statementTimeoutMs } = this.options;
    const idle = Math.max(statementTimeoutMs, 10_000);
    await this.db.exec(
      `SET LOCAL lock_timeout = '${Math.round(lock.timeoutMs)}ms'; SET LOCAL statement_timeout = '${Math.round(statementTimeoutMs)}ms'; SET LOCAL idle_in_transaction_session_timeout = '${idle}ms';`,
    );
    this.pid = Number((await this.db.query('SELECT pg_catalog.pg_backend_pid() AS pid')).rows[0]?.pid);
    this.options.signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Rolls everything back. */
  async end(): Promise<void> {
    this.options.signal?.removeEventListener('abort', this.onAbort);
    await this.db.exec('ROLLBACK').catch(() => undefined);
  }

  /** Runs verify's own statements (no retry): a lock or time limit ends the run. */
  async exec(sql: string): Promise<void> {
    await this.guarded(() => this.db.exec(sql), { step: this.doing }, 1);
  }

  async query(sql: string, params: unknown[] = []): Promise<QueryResult> {
    return this.guarded(() => this.db.query(sql, params), { step: this.doing }, 1);
  }

  /**
   * Runs one statement under a savepoint, in one round trip. When it cannot
   * take a lock it is rolled back to the savepoint (nothing of it stays) and
   * tried again after a backoff, up to the policy's retries; then the run
   * ends (Unverifiable). Any other error is rolled back to the savepoint and
   * returned, with its position counted in `sql`.
   */
  async step(sql: string, place: StepPlace): Promise<DbError | null> {
    const { lock } = this.options;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.guarded(() => this.db.exec(`${STEP_PREFIX}${sql}${STEP_SUFFIX}`), place, attempt + 1, true);
        return null;
      } catch (error) {
        const e = asDbError(error);
        if (!e) throw error;
        await this.guarded(() => this.db.exec('ROLLBACK TO SAVEPOINT pamc_step; RELEASE SAVEPOINT pamc_step;'), place, attempt + 1);
        if (isLockFailure(e.code)) {
          if (attempt >= lock.retries) throw await this.giveUp(e, place, attempt + 1);
          await this.pause(backoffMs(lock, attempt));
          continue;
        }
        return { ...e, position: e.position === null ? null : Math.max(1, e.position - STEP_PREFIX.length) };
      }
    }
  }

  /** Runs `run`, watching for lock waits; errors that end the run become Unverifiable (lock failures too, unless `retryable`). */
  private async guarded<T>(run: () => Promise<T>, place: StepPlace, attempts: number, retryable = false): Promise<T> {
    this.interrupted(place);
    const stop = this.watch();
    try {
      return await run();
    } catch (error) {
      if (this.options.signal?.aborted)
        throw this.stopped('interrupted', 'interrupted by a signal; everything verify did was rolled back', place, null, attempts);
      const e = asDbError(error);
      if (e?.code === QUERY_CANCELED) {
        const timeout = /statement timeout/i.test(e.message);
        const message = timeout ? `${e.message} (statement_timeout ${this.options.statementTimeoutMs} ms)` : e.message;
        throw this.stopped(timeout ? 'statement-timeout' : 'canceled', message, place, e.code, attempts);
      }
      if (e && isLockFailure(e.code) && !retryable) throw await this.giveUp(e, place, attempts);
      throw error;
    } finally {
      stop();
    }
  }

  private interrupted(place: StepPlace = { step: this.doing }): void {
    if (this.options.signal?.aborted) throw this.stopped('interrupted', 'interrupted by a signal; everything verify did was rolled back', place, null, 0);
  }

  private async giveUp(e: DbError, place: StepPlace, attempts: number): Promise<Unverifiable> {
    await this.looking;
    const { timeoutMs } = this.options.lock;
    const what = e.code === '40P01' ? 'deadlock' : `no lock within ${timeoutMs} ms`;
    return this.stopped(
      'lock-timeout',
      `could not take a lock: ${what}, ${attempts} attempt${attempts === 1 ? '' : 's'} (${e.message})`,
      place,
      e.code,
      attempts,
    );
  }

  private stopped(reason: AbortReason, message: string, place: StepPlace, code: string | null, attempts: number): Unverifiable {
    const seen = reason === 'lock-timeout' ? this.seen : null;
    return new Unverifiable({
      reason,
      message,
      step: place.step,
      file: place.file ?? null,
      line: place.line ?? null,
      column: place.column ?? null,
      statement: place.statement ?? null,
      code,
      attempts,
      waitingFor: seen?.waitingFor ?? null,
      blockers: seen?.blockers ?? [],
    });
  }

  /** After half the lock timeout, looks (through the second session) at what this one waits for; returns the function that stops the watch. */
  private watch(): () => void {
    const aside = this.db.aside;
    const pid = this.pid;
    if (!aside || pid === null) return () => undefined;
    const after = Math.max(20, Math.min(250, this.options.lock.timeoutMs / 2));
    const timer = setTimeout(() => {
      this.looking = aside(LOCK_WAIT_SQL, [pid])
        .then((r) => {
          const wait = lockWaitOf(r.rows);
          if (wait && wait.blockers.length) this.seen = wait;
        })
        .catch(() => undefined);
    }, after);
    return () => clearTimeout(timer);
  }

  /** Waits `ms`, or less when the run is interrupted. */
  private pause(ms: number): Promise<void> {
    const signal = this.options.signal;
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}
