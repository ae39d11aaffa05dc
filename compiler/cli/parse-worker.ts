/**
 * A worker thread that parse-checks a build's new migrations alongside the
 * main thread (./parse-share.ts). It loads the parser as soon as it starts;
 * then, for the one batch it is sent, it takes migrations by index from a
 * counter it shares with the main thread until none is left, and answers
 * with the indices it checked, the errors it found and the time it took.
 */
import { parentPort } from 'node:worker_threads';
import { loadParser } from '../sql/parser.js';
import { take } from './parse-share.js';

/** What the main thread sends: the migrations' SQL, and the counter of the next index to take. */
export interface ParseBatch {
  sqls: string[];
  next: Int32Array;
}

/** What the worker answers. */
export type ParseReply =
  { ok: true; checked: number[]; errors: Array<{ index: number; message: string; offset: number | null }>; ms: number } | { ok: false; message: string };

const port = parentPort!;
const parser = loadParser();
port.once('message', (batch: ParseBatch) => {
  parser.then(
    (p) => {
      const t0 = performance.now();
      const checked: number[] = [];
      const errors: Array<{ index: number; message: string; offset: number | null }> = [];
      for (let i = take(batch.next, batch.sqls.length); i !== -1; i = take(batch.next, batch.sqls.length)) {
        const error = p.check(batch.sqls[i]!);
        checked.push(i);
        if (error) errors.push({ index: i, ...error });
      }
      port.postMessage({ ok: true, checked, errors, ms: performance.now() - t0 } satisfies ParseReply);
      port.close();
    },
    (error: unknown) => port.postMessage({ ok: false, message: String(error) } satisfies ParseReply),
  );
});
