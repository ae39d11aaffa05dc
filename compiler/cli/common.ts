/**
 * What the commands share: their options (CommonOptions), the clock, and
 * printing diagnostics and timings.
 */
import { CommanderError } from 'commander';
import type { Diagnostic } from '../report/diagnostic.js';
import { packageVersion } from './commands.js';
import { onChangedLines, renderGithub, renderJson, renderSarif, renderText, type Format, type Sources } from '../report/render.js';
import type { ChangedLines } from './git.js';
import { styleFor, type Context } from './context.js';

/** CommonOptions are the options of build and check. */
export interface CommonOptions {
  schema?: string;
  out?: string;
  format: Format;
  now?: string;
  timings?: boolean;
}

/** A clock that makes a migration version (YYYYMMDDHHMMSS): a real date between 1970 and 9999. */
function version(date: Date, source: string, given: string): Date {
  const year = date.getUTCFullYear();
  if (Number.isNaN(date.getTime()) || year < 1970 || year > 9999) {
    throw new CommanderError(
      2,
      'pamc.now',
      `${source}: \`${given}\` is not a date between 1970 and 9999 (migration versions are YYYYMMDDHHMMSS); write ${source === '--now' ? 'ISO 8601 or ' : ''}seconds since 1970`,
    );
  }
  return date;
}

/** The clock: --now, else SOURCE_DATE_EPOCH, else the system clock. A bad value is a usage error (exit 2) that names where it came from. */
export function clock(now: string | undefined, env: Context['env']): Date {
  if (now !== undefined) return version(/^\d+$/.test(now) ? new Date(Number(now) * 1000) : new Date(now), '--now', now);
  const epoch = env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new CommanderError(2, 'pamc.now', `SOURCE_DATE_EPOCH must be whole seconds since 1970, not \`${epoch}\``);
    return version(new Date(Number(epoch) * 1000), 'SOURCE_DATE_EPOCH', epoch);
  }
  return new Date();
}

/** How diagnostics are shown: acknowledged warnings too; with a base, only the lines a pull request changed (annotations). */
export interface ReportOptions {
  showAcknowledged?: boolean;
  changed?: ChangedLines | null;
}

/**
 * Prints diagnostics in the chosen format: text to stderr, the machine
 * formats to stdout. GitHub annotations and SARIF cover, with a base, every
 * error and the warnings on lines the pull request changed.
 */
export function report(ctx: Context, all: readonly Diagnostic[], sources: Sources, format: Format, options: ReportOptions = {}): void {
  const diagnostics = options.changed && (format === 'github' || format === 'sarif') ? onChangedLines(all, sources, options.changed) : all;
  switch (format) {
    case 'text':
      if (diagnostics.length) ctx.stderr.write(renderText(diagnostics, sources, styleFor(ctx.stderr, ctx.env), options.showAcknowledged === true));
      return;
    case 'json':
      ctx.stdout.write(renderJson(diagnostics, sources));
      return;
    case 'github':
      ctx.stdout.write(renderGithub(diagnostics, sources));
      return;
    case 'sarif':
      ctx.stdout.write(renderSarif(diagnostics, sources, packageVersion()));
      return;
  }
}

/** Prints milliseconds per stage to stderr, the shell's and the core's. */
export function printTimings(ctx: Context, ...parts: Array<Readonly<Record<string, number>>>): void {
  for (const part of parts) for (const [stage, ms] of Object.entries(part)) ctx.stderr.write(`timing ${stage} ${ms.toFixed(2)} ms\n`);
}
