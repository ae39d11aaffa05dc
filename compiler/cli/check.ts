/**
 * `pamc check`: everything `build` checks, plus that the output directory is
 * exactly what `build` would leave. With `--base REF`, history is judged
 * against what the base ref shipped. Exit 0: clean; 1: errors.
 */
import { resolve } from 'node:path';
import { staleOutput } from '../pipeline.js';
import { diagnostic } from '../rules/index.js';
import { hasErrors, type SourceFile } from '../report/diagnostic.js';
import { LOCK_FILE } from '../lock/index.js';
import { clock, printTimings, report, type CommonOptions } from './common.js';
import type { Context } from './context.js';
import { gitShow } from './git.js';
import { loadProject, settings } from './project.js';
import { interruptedBuild } from './write.js';

export async function checkCommand(opts: CommonOptions & { base?: string }, ctx: Context): Promise<number> {
  const s = settings(ctx.cwd, opts);
  let baseLock: SourceFile | null | undefined;
  if (opts.base !== undefined) {
    const text = gitShow(ctx.cwd, opts.base, `${s.out}/${LOCK_FILE}`);
    baseLock = text === null ? null : { path: `${opts.base}:${s.out}/${LOCK_FILE}`, text };
  }
  const { input, output, sources, timings } = await loadProject(ctx.cwd, opts, clock(opts.now, ctx.env), baseLock === undefined ? {} : { baseLock });
  // Migrations a killed build put in place without listing them in the lock (the staging ones staleOutput names already).
  const interrupted = interruptedBuild(resolve(ctx.cwd, s.out));
  const leftovers = interrupted
    .filter((f) => !f.startsWith('staging/'))
    .map((f) =>
      diagnostic(
        'stale-output',
        undefined,
        `${s.out}/${f} was left by a build that was interrupted before it wrote the lock`,
        'run `pamc build`: it removes what an interrupted build left, then builds',
      ),
    );
  const foreign = output.foreign.filter((f) => !interrupted.includes(f));
  const diagnostics = [...output.diagnostics, ...staleOutput(output, input.outFiles, s.out), ...leftovers];
  report(ctx, diagnostics, sources, opts.format);
  if (opts.timings) printTimings(ctx, timings, output.timings);
  if (opts.format === 'text') {
    if (foreign.length) ctx.stderr.write(`not pamc's (left alone): ${foreign.map((f) => `${s.out}/${f}`).join(', ')}\n`);
    if (!hasErrors(diagnostics)) ctx.stdout.write(`pamc check: ok (${output.plan.length} migrations, ${diagnostics.length} warnings)\n`);
  }
  return hasErrors(diagnostics) ? 1 : 0;
}
