/**
 * Parse-checking a large build on two threads. A worker (./parse-worker.ts)
 * is started while the main thread compiles, and loads the parser
 * meanwhile. Once the compile is done, the worker checks the new migrations
 * while the main thread writes them beside their targets; then the main
 * thread joins in. Both take migrations from one shared counter, so neither
 * waits while the other has work. The answers are those of checking every
 * migration on the main thread: the same parser, the same texts.
 *
 * The worker does not check while the main thread compiles: the compile's
 * garbage collection runs on both cores and would slow the worker down as
 * much as the worker would save.
 */
import { Worker } from 'node:worker_threads';
import type { ParseError, SqlParser } from '../sql/parser.js';
import type { ParseBatch, ParseReply } from './parse-worker.js';

/** Takes the next index below `limit` from the shared counter `next`, or returns -1 when none is left. */
export function take(next: Int32Array, limit: number): number {
  for (;;) {
    const i = Atomics.load(next, 0);
    if (i >= limit) return -1;
    if (Atomics.compareExchange(next, 0, i, i + 1) === i) return i;
  }
}

/**
 * From this much spec (characters of phase files), a build starts a parse
 * worker. Measured (docs/performance.md): at 500 tables (0.6 MB) a build was
 * 10–30 ms faster without one, at 1,000 (1.2 MB) even, at 2,000 (2.4 MB)
 * 60 ms faster with one; the worker also costs some 30 MB.
 */
export const PARSE_WORKER_SPEC_CHARS = 1.5 * 1024 * 1024;

/**
 * Whether a build of a spec of `specChars` characters starts a parse worker:
 * by size, unless `setting` (the PAMC_PARSE_WORKER environment variable) is
 * `0` (never) or `1` (always).
 */
export function wantsParseWorker(specChars: number, setting: string | undefined): boolean {
  if (setting === '0') return false;
  if (setting === '1') return true;
  return specChars >= PARSE_WORKER_SPEC_CHARS;
}

/** How many migrations this thread checks between two turns of the event loop, when the caller asks for them. */
const BETWEEN_EVERY = 32;

/** A parse worker, started ahead of the migrations. */
export interface ParseHelper {
  /**
   * Checks `sqls` with the worker and, through `parser`, on this thread;
   * `first` runs on this thread before it joins in (the worker is already
   * checking). Resolves with the errors by index, `first`'s result, and the
   * time the worker spent checking (0 if it did not). If the worker fails,
   * this thread checks what the worker may not have. `between` runs on this
   * thread every BETWEEN_EVERY migrations it checks, after the event loop
   * has had a turn (so that a promise the caller waits on can settle).
   */
  check<T>(
    sqls: readonly string[],
    parser: SqlParser,
    first: () => T,
    between?: () => void,
  ): Promise<{ errors: Map<number, ParseError>; first: T; workerMs: number }>;
  /** Stops the worker, used or not. */
  stop(): void;
}

/**
 * Starts a parse worker. Loading a parser switches a process-wide V8 flag
 * on and off (../wasm.ts), so start it once this thread's parser is loaded.
 */
export function startParseHelper(): ParseHelper {
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url));
  const reply = new Promise<ParseReply>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ok: false, message: String(error) }));
    worker.once('exit', (code) => resolve({ ok: false, message: `the parse worker exited (code ${code})` }));
  });
  return {
    async check(sqls, parser, first, between) {
      const next = new Int32Array(new SharedArrayBuffer(4));
      worker.postMessage({ sqls: sqls as string[], next } satisfies ParseBatch);
      const firstResult = first();
      const errors = new Map<number, ParseError>();
      const mine = new Set<number>();
      for (let i = take(next, sqls.length); i !== -1; i = take(next, sqls.length)) {
        const error = parser.check(sqls[i]!);
        mine.add(i);
        if (error) errors.set(i, error);
        if (between && mine.size % BETWEEN_EVERY === 0) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          between();
        }
      }
      const r = await reply;
      if (r.ok) {
        for (const e of r.errors) errors.set(e.index, { message: e.message, offset: e.offset });
        const theirs = new Set(r.checked);
        for (let i = 0; i < sqls.length; i++) if (!mine.has(i) && !theirs.has(i)) throw new Error(`migration ${i} was parse-checked by neither thread`);
      } else {
        for (let i = 0; i < sqls.length; i++) {
          if (mine.has(i)) continue;
          const error = parser.check(sqls[i]!);
          if (error) errors.set(i, error);
        }
      }
      return { errors, first: firstResult, workerMs: r.ok ? r.ms : 0 };
    },
    stop() {
      void worker.terminate();
    },
  };
}
