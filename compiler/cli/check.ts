/**
 * `pamc check`: everything `build` checks, plus that the output directory is
 * exactly what `build` would leave. With `--base REF`, the pull request is
 * judged against what the base ref shipped, by the base's own settings
 * (./base.ts). Exit 0: clean; 1: errors.
 */
import { plural, summary } from '../report/render.js';
import { changedLines } from './git.js';
import { resolve } from 'node:path';
import { staleOutput } from '../compile.js';
import { hasErrors } from '../report/diagnostic.js';
import { clock, printTimings, report, type CommonOptions } from './common.js';
import type { Context } from './context.js';
import { baseRef, readBase } from './base.js';
import { loadProject, settings } from './project.js';
import { interruptedBuild } from './journal.js';

export interface CheckOptions extends CommonOptions {
  base?: string | boolean;
  showAcknowledged?: boolean;
}

export async function checkCommand(opts: CheckOptions, ctx: Context): Promise<number> {
  const s = settings(ctx.cwd, opts);
  const ref = baseRef(ctx.cwd, opts.base, s);
  const base = ref === null ? null : readBase(ctx.cwd, ref, s);
  const { input, output, sources, timings } = await loadProject(ctx.cwd, opts, clock(opts.now, ctx.env), base ? { base: base.base } : {});
  // Migrations a killed build put in place without listing them in the lock are stale output, not hand-written files.
  const interrupted = interruptedBuild(resolve(ctx.cwd, s.out));
  const diagnostics = [...(base?.diagnostics ?? []), ...output.diagnostics, ...staleOutput(output, input.outFiles, s.out, interrupted)];
  const refused = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.span?.file));
  const foreign = output.foreign.filter((f) => !interrupted.includes(f) && !refused.has(`${s.out}/${f}`));
  for (const [path, text] of base?.sources ?? []) sources.set(path, text);
  const changed = ref !== null && (opts.format === 'github' || opts.format === 'sarif') ? changedLines(ctx.cwd, ref) : null;
  report(ctx, diagnostics, sources, opts.format, { showAcknowledged: opts.showAcknowledged === true, changed });
  if (opts.timings) printTimings(ctx, timings, output.timings);
  if (opts.format === 'text') {
    if (foreign.length) ctx.stderr.write(`not pamc's (left alone): ${foreign.map((f) => `${s.out}/${f}`).join(', ')}\n`);
    const { warnings, acknowledged } = summary(diagnostics);
    const settled = acknowledged ? `, ${acknowledged} acknowledged` : '';
    if (!hasErrors(diagnostics)) ctx.stdout.write(`pamc check: ok (${plural(output.plan.length, 'migration')}, ${plural(warnings, 'warning')}${settled})\n`);
  }
  return hasErrors(diagnostics) ? 1 : 0;
}
