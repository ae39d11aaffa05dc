#!/usr/bin/env node
/** The `pamc` executable: runs the command line (./run.ts) in this process's context. */
import { processContext } from './context.js';
import { run } from './run.js';

process.exitCode = await run(process.argv.slice(2), processContext()).catch((error: unknown) => {
  process.stderr.write(`pamc: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
  return 70;
});
