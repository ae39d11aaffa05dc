#!/usr/bin/env node
/**
 * The command line: the only place that touches files, git, the clock, the
 * terminal and the exit status. Exit 0: clean (warnings allowed); 1: errors
 * found; 2: usage or I/O failure.
 */
import { Command, CommanderError, Option } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCheck, staleOutput, unparsable, type CompileInput, type CompileOutput } from '../pipeline.js';
import { loadProject, settings, type LoadedProject } from './project.js';
import { diagnostic, findRule, RULES } from '../rules/index.js';
import { compareDiagnostics, hasErrors, type Diagnostic, type SourceFile } from '../report/diagnostic.js';
import { FORMATS, renderGithub, renderJson, renderSarif, renderText, type Format, type Sources } from '../report/render.js';
import { LOCK_FILE } from '../lock/index.js';
import { acquireBuildLock, BuildWrite, interruptedBuild, IoError, planBuild, recoverBuild, type SpecFiles } from './io.js';
import { startParseHelper, wantsParseWorker, type ParseHelper } from './parse-share.js';
import { gitShow, GitError } from './git.js';
import { registerVerify } from './verify.js';

const PACKAGE_ROOT = new URL('../../../', import.meta.url);

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The clock: --now, else SOURCE_DATE_EPOCH, else the system clock. */
function clock(now: string | undefined): Date {
  if (now !== undefined) {
    const d = /^\d+$/.test(now) ? new Date(Number(now) * 1000) : new Date(now);
    if (Number.isNaN(d.getTime())) throw new CommanderError(2, 'pamc.now', `--now: \`${now}\` is not a date (ISO 8601 or seconds since 1970)`);
    return d;
  }
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && epoch !== '') {
    if (!/^\d+$/.test(epoch)) throw new CommanderError(2, 'pamc.now', `SOURCE_DATE_EPOCH must be whole seconds since 1970, not \`${epoch}\``);
    return new Date(Number(epoch) * 1000);
  }
  return new Date();
}

function useColor(stream: NodeJS.WriteStream): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

function report(diagnostics: readonly Diagnostic[], sources: Sources, format: Format): void {
  switch (format) {
    case 'text':
      if (diagnostics.length) process.stderr.write(renderText(diagnostics, sources, useColor(process.stderr)));
      return;
    case 'json':
      process.stdout.write(renderJson(diagnostics, sources));
      return;
    case 'github':
      process.stdout.write(renderGithub(diagnostics, sources));
      return;
    case 'sarif':
      process.stdout.write(renderSarif(diagnostics, sources, packageVersion()));
      return;
  }
}

interface CommonOptions {
  schema?: string;
  out?: string;
  format: Format;
  now?: string;
  timings?: boolean;
}

/** Reads the project and runs the core; `parserOnDemand`: load the SQL parser only if the fragment cache lacks an answer. */
async function run(opts: CommonOptions, extra: Partial<CompileInput> = {}, parserOnDemand = false): Promise<LoadedProject> {
  return loadProject(process.cwd(), opts, clock(opts.now), extra, { parserOnDemand });
}

function printTimings(output: CompileOutput, enabled: boolean | undefined): void {
  if (!enabled) return;
  for (const [stage, ms] of Object.entries(output.timings)) process.stderr.write(`timing ${stage} ${ms.toFixed(2)} ms\n`);
}

/** From this many new migrations, a build that started a parse worker (./parse-share.ts) shares their parse-check with it. */
const SHARE_PARSE_CHECK_MIGRATIONS = 64;

async function buildCommand(opts: CommonOptions): Promise<number> {
  const cwd = process.cwd();
  const s = settings(cwd, opts);
  const release = acquireBuildLock(resolve(cwd, s.out));
  try {
    const recovered = recoverBuild(resolve(cwd, s.out));
    if (recovered.length) {
      const shown = recovered
        .slice(0, 3)
        .map((f) => `${s.out}/${f}`)
        .join(', ');
      process.stderr.write(
        `pamc: removed ${recovered.length} file${recovered.length === 1 ? '' : 's'} an interrupted build left (${shown}${recovered.length > 3 ? ', …' : ''})\n`,
      );
    }
    // A large spec is likely to make a large build: a worker starts before the compile, loads its own parser
    // meanwhile, and shares the parse-check of the new migrations (./parse-share.ts). This thread's parser is
    // loaded first, as loading one switches a process-wide V8 flag on and off; the build needs it anyway.
    const tParser = performance.now();
    await (await import('../sql/parser.js')).loadParser();
    const parserLoadMs = performance.now() - tParser;
    let helper = null as ParseHelper | null;
    const onRead = (spec: SpecFiles): void => {
      const chars = spec.sources.reduce((n, f) => n + f.text.length, 0);
      if (wantsParseWorker(chars, process.env.PAMC_PARSE_WORKER)) helper = startParseHelper();
    };
    try {
      const { output, sources, parser } = await loadProject(cwd, opts, clock(opts.now), { deferParseCheck: true }, { onRead });
      output.timings['parser-load'] = parserLoadMs;
      const outDir = resolve(cwd, s.out);
      let diagnostics = output.diagnostics;
      if (!hasErrors(diagnostics)) {
        // Stage: every file written beside its target, and a flush of them all to disk started. Then the
        // parse-check, shared with the worker if there is one; meanwhile, once the flush is done, the journal
        // and the migrations are put in place (they are not emitted until the lock lists them). Then, if every
        // migration parses, the lock is put in place: the commit; if one does not, all of it is taken back.
        let t = performance.now();
        const build = planBuild(outDir, output.files);
        let write = null as BuildWrite | null;
        const stage = (): void => {
          write = new BuildWrite(outDir, build);
          output.timings.write = performance.now() - t;
          t = performance.now();
        };
        const unchecked = output.unchecked;
        let failed: Diagnostic[];
        const h = unchecked.length < SHARE_PARSE_CHECK_MIGRATIONS ? null : helper;
        if (h) {
          const shared = await h.check(
            unchecked.map((m) => m.sql),
            parser,
            stage,
            () => write?.placeIfFlushed(),
          );
          output.timings['parse-worker'] = shared.workerMs;
          failed = [...shared.errors].sort(([a], [b]) => a - b).map(([i, error]) => unparsable(unchecked[i]!, error));
        } else {
          stage();
          failed = parseCheck(unchecked, parser);
        }
        const written = write as BuildWrite | null;
        output.timings['parse-check'] = performance.now() - t - (written?.placeMs ?? 0);
        t = performance.now();
        await written?.finish(failed.length === 0);
        output.timings.write! += (written?.placeMs ?? 0) + performance.now() - t;
        if (failed.length) diagnostics = [...diagnostics, ...failed].sort(compareDiagnostics);
      }
      report(diagnostics, sources, opts.format);
      if (hasErrors(diagnostics)) {
        if (opts.format === 'text') process.stderr.write(`nothing written to ${s.out}/\n`);
        return 1;
      }
      printTimings(output, opts.timings);
      if (opts.format === 'text') {
        const fresh = output.plan.filter((p) => p.status === 'new');
        // One write: a large build lists thousands of files, and each write to a pipe is a system call.
        if (fresh.length)
          process.stdout.write(fresh.map((p) => `wrote ${s.out}/${p.file}${p.environments.includes('production') ? '' : ' (staging only)'}\n`).join(''));
        if (fresh.length === 0) process.stdout.write(`${s.out}/ is up to date (${output.plan.length} migrations)\n`);
      }
      return 0;
    } finally {
      helper?.stop();
    }
  } finally {
    release();
  }
}

async function checkCommand(opts: CommonOptions & { base?: string }): Promise<number> {
  const cwd = process.cwd();
  const s = settings(cwd, opts);
  let baseLock: SourceFile | null | undefined;
  if (opts.base !== undefined) {
    const text = gitShow(cwd, opts.base, `${s.out}/${LOCK_FILE}`);
    baseLock = text === null ? null : { path: `${opts.base}:${s.out}/${LOCK_FILE}`, text };
  }
  const { input, output, sources } = await run(opts, baseLock === undefined ? {} : { baseLock }, true);
  // Migrations a killed build put in place without listing them in the lock (the staging ones staleOutput names already).
  const interrupted = interruptedBuild(resolve(cwd, s.out));
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
  output.foreign = output.foreign.filter((f) => !interrupted.includes(f));
  const diagnostics = [...output.diagnostics, ...staleOutput(output, input.outFiles, s.out), ...leftovers];
  report(diagnostics, sources, opts.format);
  printTimings(output, opts.timings);
  if (opts.format === 'text') {
    if (output.foreign.length) process.stderr.write(`not pamc's (left alone): ${output.foreign.map((f) => `${s.out}/${f}`).join(', ')}\n`);
    if (!hasErrors(diagnostics)) process.stdout.write(`pamc check: ok (${output.plan.length} migrations, ${diagnostics.length} warnings)\n`);
  }
  return hasErrors(diagnostics) ? 1 : 0;
}

function explainCommand(id: string | undefined): number {
  if (!id) {
    const width = Math.max(...RULES.map((r) => r.id.length));
    for (const r of RULES) process.stdout.write(`${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}\n`);
    return 0;
  }
  const rule = findRule(id);
  if (!rule) {
    process.stderr.write(`pamc: unknown rule \`${id}\`; \`pamc explain\` lists them all\n`);
    return 2;
  }
  const doc = new URL(`docs/rules/${rule.id}.md`, PACKAGE_ROOT);
  process.stdout.write(existsSync(doc) ? readFileSync(doc, 'utf8') : `${rule.id} (${rule.severity}): ${rule.summary}\n`);
  return 0;
}

function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(FORMATS as unknown as string[]).default('text');
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command('pamc')
    .description('Compile a declarative YAML schema into additive PostgreSQL/Supabase migrations.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  let status = 0;
  const common = (c: Command): Command =>
    c
      .option('--schema <dir>', 'directory of phase files (default: "schema", or package.json pamc.schema)')
      .option('--out <dir>', 'output directory (default: "out", or package.json pamc.out)')
      .option('--now <date>', 'the clock for new versions: ISO 8601 or epoch seconds (default: SOURCE_DATE_EPOCH, else now)')
      .option('--timings', 'print the time each stage took to stderr')
      .addOption(formatOption());
  common(program.command('build').description('validate the spec and write one migration per new feature')).action(async (opts: CommonOptions) => {
    status = await buildCommand(opts);
  });
  common(program.command('check').description('fail if the spec is invalid, out/ is stale or edited, or a change is destructive'))
    .option('--base <ref>', 'judge the change against the lock at this git ref (e.g. origin/main)')
    .action(async (opts: CommonOptions & { base?: string }) => {
      status = await checkCommand(opts);
    });
  program
    .command('explain [rule]')
    .description("print a rule's documentation, or list every rule")
    .action((id: string | undefined) => {
      status = explainCommand(id);
    });
  registerVerify(program, (code) => {
    status = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.code.startsWith('pamc.')) process.stderr.write(`pamc: ${error.message}\n`);
      return 2;
    }
    if (error instanceof IoError || error instanceof GitError) {
      process.stderr.write(`pamc: ${error.message}\n`);
      return 2;
    }
    const e = error as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && e.syscall) {
      process.stderr.write(`pamc: ${e.message}\n`);
      return 2;
    }
    throw error;
  }
}

const status = await main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`pamc: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
});
process.exitCode = status;
