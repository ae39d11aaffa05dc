/**
 * Stage timings, for `--timings` and the benchmark: milliseconds per stage,
 * summed when a stage runs more than once.
 */

/** Stopwatch records the time since its last lap under a stage name. */
export interface Stopwatch {
  timings: Record<string, number>;
  /** Adds the time since the previous lap (or the start) to `stage`. */
  lap(stage: string): void;
  /** Runs `fn`, adds the time it took to `stage`, and restarts the lap. */
  measure<T>(stage: string, fn: () => T): T;
}

export function stopwatch(): Stopwatch {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const add = (stage: string, ms: number): void => {
    timings[stage] = (timings[stage] ?? 0) + ms;
  };
  return {
    timings,
    lap(stage) {
      const now = performance.now();
      add(stage, now - t);
      t = now;
    },
    measure(stage, fn) {
      const t0 = performance.now();
      try {
        return fn();
      } finally {
        t = performance.now();
        add(stage, t - t0);
      }
    },
  };
}
