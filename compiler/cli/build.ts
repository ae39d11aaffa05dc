/**
 * `pamc build`: compile the spec and write one migration per new feature,
 * under the build lock (./write.ts). Exit 0: written or up to date; 1:
 * errors (nothing written).
 */
import { resolve } from 'node:path';
import { hasErrors } from '../report/diagnostic.js';
import { clock, printTimings, report, type CommonOptions } from './common.js';
import type { Context } from './context.js';
import { loadProject, settings } from './project.js';
import { acquireBuildLock, recoverBuild, writeBuild } from './write.js';

export async function buildCommand(opts: CommonOptions, ctx: Context): Promise<number> {
  const s = settings(ctx.cwd, opts);
  const outDir = resolve(ctx.cwd, s.out);
  const now = clock(opts.now, ctx.env);
  const lock = await acquireBuildLock(outDir, { waiting: () => ctx.stderr.write(`pamc: waiting for another build of ${s.out}/ to finish\n`) });
  try {
    const recovered = recoverBuild(outDir);
    if (recovered.length) {
      const shown = recovered
        .slice(0, 3)
        .map((f) => `${s.out}/${f}`)
        .join(', ');
      ctx.stderr.write(
        `pamc: removed ${recovered.length} file${recovered.length === 1 ? '' : 's'} an interrupted build left (${shown}${recovered.length > 3 ? ', …' : ''})\n`,
      );
    }
    const project = await loadProject(ctx.cwd, opts, now);
    const { output } = project;
    report(ctx, output.diagnostics, project.sources, opts.format);
    if (hasErrors(output.diagnostics)) {
      if (opts.format === 'text') ctx.stderr.write(`nothing written to ${s.out}/\n`);
      return 1;
    }
    const t0 = performance.now();
    await writeBuild(outDir, output.files, () => !lock.compromised());
    if (opts.timings) printTimings(ctx, project.timings, output.timings, { write: performance.now() - t0 });
    if (opts.format === 'text') {
      const fresh = output.plan.filter((p) => p.status === 'new');
      if (fresh.length)
        ctx.stdout.write(fresh.map((p) => `wrote ${s.out}/${p.file}${p.environments.includes('production') ? '' : ' (staging only)'}\n`).join(''));
      else ctx.stdout.write(`${s.out}/ is up to date (${output.plan.length} migrations)\n`);
    }
    return 0;
  } finally {
    await lock.release();
  }
}
