/**
 * `pamc build`: compile the spec and write one migration per new feature,
 * under the build lock (./write.ts). With a base (`--base`, or the
 * `pamc.base` setting), only what the base's lock lists is shipped: work in
 * progress is rebuilt when its spec changes, and after a merge it moves
 * after everything shipped. `--dry-run` prints what it would write and
 * changes nothing. Exit 0: written or up to date; 1: errors (nothing written).
 */
import { resolve } from 'node:path';
import { hasErrors } from '../report/diagnostic.js';
import type { CompileOutput } from '../compile.js';
import { clock, printTimings, report, type CommonOptions } from './common.js';
import type { Context } from './context.js';
import { baseRef, readBase } from './base.js';
import { loadProject, settings, type Settings } from './project.js';
import { acquireBuildLock, recoverBuild, writeBuild } from './write.js';
import { LEGACY_LOCK_FILE, LOCK_FILE } from '../lock/index.js';

export interface BuildOptions extends CommonOptions {
  base?: string | boolean;
  dryRun?: boolean;
  showAcknowledged?: boolean;
}

export async function buildCommand(opts: BuildOptions, ctx: Context): Promise<number> {
  const s = settings(ctx.cwd, opts);
  const ref = baseRef(ctx.cwd, opts.base, s);
  if (opts.dryRun) return dryRun(opts, ctx, s, ref);
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
    const base = ref === null ? null : readBase(ctx.cwd, ref, s);
    const project = await loadProject(ctx.cwd, opts, now, base ? { base: base.base, repair: true } : {});
    const { output } = project;
    report(ctx, output.diagnostics, project.sources, opts.format, { showAcknowledged: opts.showAcknowledged === true });
    if (hasErrors(output.diagnostics)) {
      if (opts.format === 'text') ctx.stderr.write(`nothing written to ${s.out}/\n`);
      return 1;
    }
    const t0 = performance.now();
    await writeBuild(outDir, output.files, output.remove, () => !lock.compromised());
    if (opts.timings) printTimings(ctx, project.timings, output.timings, { write: performance.now() - t0 });
    if (opts.format === 'text') ctx.stdout.write(summary(output, s.out, ref, false));
    return 0;
  } finally {
    await lock.release();
  }
}

/** What a build did (or, dry, would do), one line per file. */
function summary(output: CompileOutput, out: string, ref: string | null, dry: boolean): string {
  const lines: string[] = [];
  const verb = (done: string, would: string): string => (dry ? would : done);
  if (ref !== null) lines.push(`base ${ref}: what its lock lists is shipped; the rest is work in progress`);
  for (const p of output.plan.filter((x) => x.status === 'new')) {
    const where = p.environments.includes('production') ? '' : ' (staging only)';
    lines.push(
      p.replaces
        ? `${verb('rebuilt', 'would rebuild')} ${out}/${p.file}${where} (replaces ${out}/${p.replaces})`
        : `${verb('wrote', 'would write')} ${out}/${p.file}${where}`,
    );
  }
  const replaced = new Set(output.plan.flatMap((p) => (p.replaces ? [p.replaces, `staging/${p.replaces}`] : [])));
  for (const path of output.remove) {
    if (replaced.has(path)) continue;
    if (path === LEGACY_LOCK_FILE)
      lines.push(`${verb('replaced', 'would replace')} ${out}/${LEGACY_LOCK_FILE} with ${out}/${LOCK_FILE} (one line per migration: it merges)`);
    else
      lines.push(
        `${verb('removed', 'would remove')} ${out}/${path} (${output.orphans.includes(path) ? 'pamc wrote it and no lock lists it' : 'work in progress the spec no longer has'})`,
      );
  }
  const restored = lines.length === (ref === null ? 0 : 1) && output.files.has(LOCK_FILE);
  if (restored) lines.push(`${verb('wrote', 'would write')} ${out}/${LOCK_FILE} (the entries the base ships, restored)`);
  else if (lines.length === (ref === null ? 0 : 1)) lines.push(`${out}/ is up to date (${output.plan.length} migration${output.plan.length === 1 ? '' : 's'})`);
  return lines.map((l) => `${l}\n`).join('');
}

/** `build --dry-run`: the SQL of every migration the build would write, on stdout; nothing is written or locked. */
async function dryRun(opts: BuildOptions, ctx: Context, s: Settings, ref: string | null): Promise<number> {
  const base = ref === null ? null : readBase(ctx.cwd, ref, s);
  const project = await loadProject(ctx.cwd, opts, clock(opts.now, ctx.env), base ? { base: base.base, repair: true } : {});
  const { output } = project;
  report(ctx, output.diagnostics, project.sources, opts.format, { showAcknowledged: opts.showAcknowledged === true });
  if (hasErrors(output.diagnostics)) return 1;
  if (opts.format !== 'text') return 0;
  for (const p of output.plan) if (p.status === 'new' && p.sql !== null) ctx.stdout.write(`-- ${s.out}/${p.file}\n${p.sql}\n`);
  ctx.stderr.write(summary(output, s.out, ref, true));
  ctx.stderr.write('nothing written (--dry-run)\n');
  return 0;
}
