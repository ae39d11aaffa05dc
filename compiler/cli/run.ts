/**
 * The command line: the only place that touches files, git, the clock, the
 * terminal and the exit status, always through a Context (./context.ts), so
 * that a command runs the same in its own process and inside a test. Exit 0:
 * clean (warnings allowed); 1: errors found; 2: usage or I/O failure.
 */
import { Command, CommanderError } from 'commander';
import { buildCommand, type BuildOptions } from './build.js';
import { checkCommand, type CheckOptions } from './check.js';
import { baseOptions } from './base.js';
import { commonOptions, packageVersion } from './common.js';
import { fail, type Context } from './context.js';
import { explainCommand } from './explain.js';
import { GitError } from './git.js';
import { IoError } from './io.js';
import { registerVerify } from './verify.js';
import { registerTypes } from './types.js';
import { registerDocs } from './docs.js';
import { registerInit } from './init.js';
import { registerPull } from './pull.js';

function program(ctx: Context, done: (status: number) => void): Command {
  const p = new Command('pamc')
    .description('Compile a declarative YAML schema into additive PostgreSQL/Supabase migrations.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  baseOptions(commonOptions(p.command('build').description('validate the spec and write one migration per new feature')))
    .option('--dry-run', 'print the SQL it would write, and what it would remove; change nothing')
    .option('--show-acknowledged', 'also print the warnings the spec acknowledges')
    .action(async (opts: BuildOptions) => done(await buildCommand(opts, ctx)));
  baseOptions(commonOptions(p.command('check').description('fail if the spec is invalid, out/ is stale or edited, or a change is destructive')))
    .option('--show-acknowledged', 'also print the warnings the spec acknowledges')
    .action(async (opts: CheckOptions) => done(await checkCommand(opts, ctx)));
  p.command('explain [rule]')
    .description("print a rule's documentation, or list every rule")
    .action((id: string | undefined) => done(explainCommand(id, ctx)));
  registerVerify(p, ctx, done);
  registerTypes(p, ctx, done);
  registerDocs(p, ctx, done);
  registerInit(p, ctx, done);
  registerPull(p, ctx, done);
  return p;
}

/** Runs pamc with `argv` (without the node and script arguments) in `ctx`; resolves to the exit status. */
export async function run(argv: readonly string[], ctx: Context): Promise<number> {
  let status = 0;
  try {
    await program(ctx, (code) => (status = code)).parseAsync([...argv], { from: 'user' });
    return status;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return 0;
      if (error.code.startsWith('pamc.')) return fail(ctx, error.message);
      return 2;
    }
    if (error instanceof IoError || error instanceof GitError) return fail(ctx, error.message);
    const e = error as NodeJS.ErrnoException;
    if (e && typeof e.code === 'string' && e.syscall) return fail(ctx, e.message);
    throw error;
  }
}
