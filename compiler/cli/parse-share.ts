/**
 * Parse-checking a large build on two threads. A worker (./parse-worker.ts)
 * starts with the build and loads the parser while the main thread
 * compiles; each new migration is sent to it as soon as the compile renders
 * it, so it checks them while the main thread renders the rest, the lock and
 * the files. The main thread then takes what the worker has not: both take
 * migrations from one shared counter. The answers are those of checking
 * every migration on the main thread: the same parser, the same texts.
 */
import { Worker } from 'node:worker_threads';
import type { ParseError, SqlParser } from '../sql/parser.js';
import type { ParseMessage, ParseReply, ParseWorkerData } from './parse-worker.js';

/** Migrations are sent to the worker in batches of this many. */
const BATCH = 16;

/** A parse worker, started ahead of the migrations. */
export interface ParseHelper {
  /** Adds the next migration; the worker gets it with its batch. */
  add(sql: string): void;
  /**
   * After the last add: runs `first` on this thread while the worker checks,
   * then checks on this thread what the worker has not taken. Resolves with
   * the errors by index (the order of add), `first`'s result, and the time
   * the worker spent checking. If the worker fails, this thread checks what
   * the worker may not have.
   */
  finish<T>(parser: SqlParser, first: () => T): Promise<{ errors: Map<number, ParseError>; first: T; workerMs: number }>;
  /** Stops the worker, used or not. */
  stop(): void;
}

/** Takes the next index below `limit` from `next`, or returns -1 when there is none. */
export function take(next: Int32Array, limit: number): number {
  for (;;) {
    const i = Atomics.load(next, 0);
    if (i >= limit) return -1;
    if (Atomics.compareExchange(next, 0, i, i + 1) === i) return i;
  }
}

export function startParseHelper(): ParseHelper {
  const next = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: { next } satisfies ParseWorkerData });
  const reply = new Promise<ParseReply>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error) => resolve({ ok: false, message: String(error) }));
    worker.once('exit', (code) => resolve({ ok: false, message: `the parse worker exited (code ${code})` }));
  });
  const all: string[] = [];
  let sent = 0;
  const send = (): void => {
    if (sent < all.length) worker.postMessage({ start: sent, sqls: all.slice(sent) } satisfies ParseMessage);
    sent = all.length;
  };
  return {
    add(sql) {
      all.push(sql);
      if (all.length - sent >= BATCH) send();
    },
    async finish(parser, first) {
      send();
      worker.postMessage({ end: true } satisfies ParseMessage);
      const firstResult = first();
      const errors = new Map<number, ParseError>();
      const mine = new Set<number>();
      for (let i = take(next, all.length); i !== -1; i = take(next, all.length)) {
        const error = parser.check(all[i]!);
        mine.add(i);
        if (error) errors.set(i, error);
      }
      const r = await reply;
      if (r.ok) {
        for (const e of r.errors) errors.set(e.index, { message: e.message, offset: e.offset });
        const theirs = new Set(r.checked);
        for (let i = 0; i < all.length; i++) if (!mine.has(i) && !theirs.has(i)) throw new Error(`migration ${i} was parse-checked by neither thread`);
      } else {
        for (let i = 0; i < all.length; i++) {
          if (mine.has(i)) continue;
          const error = parser.check(all[i]!);
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
