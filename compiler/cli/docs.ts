/**
 * `pamc docs`: a Markdown data dictionary of the spec (../dictionary):
 * tables, columns, constraints, access rules, where each came from, and a
 * Mermaid diagram. Exit 0: written; 1: the spec has errors; 2: usage or I/O
 * failure.
 */
import type { Command } from 'commander';
import { generateDictionary } from '../dictionary/index.js';
import type { Context } from './context.js';
import { describeOptions, specOf, writeResult, type DescribeOptions } from './describe.js';

async function docsCommand(opts: DescribeOptions, ctx: Context): Promise<number> {
  const loaded = await specOf('docs', opts, ctx);
  if (typeof loaded === 'number') return loaded;
  const { spec, project } = loaded;
  writeResult(ctx, opts.out, generateDictionary({ spec, environment: opts.env, parser: project.parser, schemaDir: project.settings.schema }));
  return 0;
}

/** Registers `pamc docs` on the program; `done` receives the exit status. */
export function registerDocs(program: Command, ctx: Context, done: (status: number) => void): void {
  describeOptions(
    program.command('docs').description('write a Markdown data dictionary of the spec: tables, columns, access rules, origins and a diagram'),
    'write to this file, e.g. docs/schema.md (default: stdout)',
  ).action(async (opts: DescribeOptions) => done(await docsCommand(opts, ctx)));
}
