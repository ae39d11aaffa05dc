/**
 * What a command may touch of the process it runs in: the working
 * directory, the environment and the two output streams. The bin passes the
 * real ones (processContext); tests pass their own and run commands
 * in-process.
 */
import { styleText } from 'node:util';

/** Stream is an output a command writes to, and whether it is a terminal. */
export interface Stream {
  write(text: string): void;
  isTTY: boolean;
}

/** Context is the part of the process a command sees. */
export interface Context {
  cwd: string;
  env: Readonly<Record<string, string | undefined>>;
  stdout: Stream;
  stderr: Stream;
}

/** The context of the running process. */
export function processContext(): Context {
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: { write: (text) => void process.stdout.write(text), isTTY: process.stdout.isTTY === true },
    stderr: { write: (text) => void process.stderr.write(text), isTTY: process.stderr.isTTY === true },
  };
}

/** Whether to colour what goes to `stream`: never with NO_COLOR, always with FORCE_COLOR (not 0), else on a terminal. */
export function useColor(stream: Stream, env: Context['env']): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY;
}

/** Style is how text is coloured for one stream: the identity when colour is off. */
export type Style = (format: Parameters<typeof styleText>[0], text: string) => string;

/** The style of `stream`: node:util's styleText when colour is on, the text as it is when off. */
export function styleFor(stream: Stream, env: Context['env']): Style {
  return useColor(stream, env) ? (format, text) => styleText(format, text, { validateStream: false }) : (_format, text) => text;
}

/** Writes a line to stderr in the shape `pamc: <message>`, for failures that are not diagnostics. */
export function fail(ctx: Context, message: string): 2 {
  ctx.stderr.write(`pamc: ${message}\n`);
  return 2;
}
