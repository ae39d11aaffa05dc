/**
 * A worker thread that parse-checks a build's new migrations alongside the
 * main thread (./parse-share.ts). It loads the parser as soon as it starts.
 * The main thread sends the migrations in batches as the compile renders
 * them, then an end mark; the worker takes each migration it has received by
 * index from a counter it shares with the main thread (compare-and-swap, so
 * each is taken once), and after the end mark answers with the indices it
 * checked, the errors it found and the time it spent.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadParser, type SqlParser } from '../sql/parser.js';
import { take } from './parse-share.js';

/** What the worker is started with: the counter of the next index to take, shared with the main thread. */
export interface ParseWorkerData {
  next: Int32Array;
}

/** A message to the worker: migrations from index `start` on, or the end mark. */
export type ParseMessage = { start: number; sqls: string[] } | { end: true };

/** What the worker answers after the end mark. */
export type ParseReply = { ok: true; checked: number[]; errors: Array<{ index: number; message: string; offset: number | null }>; ms: number } | { ok: false; message: string };

const port = parentPort!;
const { next } = workerData as ParseWorkerData;
const parser = loadParser();
const received: string[] = [];
const checked: number[] = [];
const errors: Array<{ index: number; message: string; offset: number | null }> = [];
let ms = 0;
const work = (p: SqlParser): void => {
  const t0 = performance.now();
  for (let i = take(next, received.length); i !== -1; i = take(next, received.length)) {
    const error = p.check(received[i]!);
    checked.push(i);
    if (error) errors.push({ index: i, ...error });
  }
  ms += performance.now() - t0;
};
port.on('message', (m: ParseMessage) => {
  parser.then(
    (p) => {
      if ('end' in m) {
        work(p);
        port.postMessage({ ok: true, checked, errors, ms } satisfies ParseReply);
        port.close();
        return;
      }
      for (const [k, sql] of m.sqls.entries()) received[m.start + k] = sql;
      work(p);
    },
    (error: unknown) => {
      if ('end' in m) port.postMessage({ ok: false, message: String(error) } satisfies ParseReply);
    },
  );
});
