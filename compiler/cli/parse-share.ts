/**
 * Parse-checking a large build on two threads: the main thread and a worker
 * (./parse-worker.ts) take migrations from one shared counter, so neither
 * waits while the other has work, and the main thread can write the build's
 * files first and join in after. The answers are the same as checking every
 * migration on the main thread: the same parser, the same texts.
 */
import type { Worker } from 'node:worker_threads';
import type { ParseError, SqlParser } from '../sql/parser.js';
import type { ParseBatch, ParseReply } from './parse-worker.js';

/** A worker started ahead of the batch, loading its parser meanwhile. */
export interface ParseHelper {
  /**
   * Checks `sqls` with the worker and, through `parser`, on this thread;
   * `first` runs on this thread before it joins in (the worker is already
   * checking). Resolves with the errors by index, and the time the worker
   * spent checking (0 if it did not). If the worker fails, this thread
   * checks what the worker may not have.
   */
  check<T>(sqls: readonly string[], parser: SqlParser, first: () => T): Promise<{ errors: Map<number, ParseError>; first: T; workerMs: number }>;
  /** Stops the worker, used or not. */
  stop(): void;
}

export async function startParseHelper(): Promise<ParseHelper> {
  const { Worker } = await import('node:worker_threads');
  const worker: Worker = new Worker(new URL('./parse-worker.js', import.meta.url));
  // A failure before the batch is sent is taken up by check().
  const reply = new Promise<ParseReply>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ok: false, message: String(error) }));
    worker.once('exit', (code) => resolve({ ok: false, message: `the parse worker exited (code ${code})` }));
  });
  return {
    async check(sqls, parser, first) {
      const next = new Int32Array(new SharedArrayBuffer(4));
      worker.postMessage({ sqls: sqls as string[], next } satisfies ParseBatch);
      const firstResult = first();
      const errors = new Map<number, ParseError>();
      const mine = new Set<number>();
      for (let i = Atomics.add(next, 0, 1); i < sqls.length; i = Atomics.add(next, 0, 1)) {
        const error = parser.check(sqls[i]!);
        mine.add(i);
        if (error) errors.set(i, error);
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
