/**
 * The command line: the only place that touches files, git, the clock, the
 * terminal and the exit status, always through a Context (./context.ts), so
 * that a command runs the same in its own process and inside a test. Exit 0:
 * clean (warnings allowed); 1: errors found; 2: usage or I/O failure.
 */
import { CommanderError } from 'commander';
import { program } from './commands.js';
import { fail, type Context } from './context.js';
import { GitError } from './git.js';
import { IoError } from './io.js';

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
