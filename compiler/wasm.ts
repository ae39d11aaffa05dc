/**
 * WebAssembly compilation for a short-lived process.
 *
 * V8 compiles WebAssembly twice by default: at once with its baseline
 * compiler, and later, for hot functions, again with its optimizing one.
 * For libpg_query and PGlite (PostgreSQL), the hot functions include huge
 * generated ones (the grammar, the executor's interpreter); recompiling them
 * takes seconds of CPU and hundreds of MB while a command runs, and pamc
 * exits before it pays off. docs/performance.md has the measurements.
 */
import { setFlagsFromString } from 'node:v8';

/**
 * Runs `compile` (which compiles and instantiates WebAssembly) with the
 * baseline compiler only. The flag is read when a module is compiled and
 * set back afterwards, so WebAssembly compiled later is compiled as usual.
 */
export async function baselineOnly<T>(compile: () => Promise<T>): Promise<T> {
  const given = process.execArgv.includes('--liftoff-only');
  if (!given) setFlagsFromString('--liftoff-only');
  try {
    return await compile();
  } finally {
    if (!given) setFlagsFromString('--no-liftoff-only');
  }
}
