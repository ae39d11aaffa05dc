/**
 * `pamc types`: TypeScript types of the spec's tables in schema public, in
 * the shape `supabase gen types typescript` prints (../typegen), with no
 * database. Exit 0: written; 1: the spec has errors; 2: usage or I/O failure.
 */
import type { Command } from 'commander';
import { generateTypes } from '../typegen/index.js';
import type { Context } from './context.js';
import { describeOptions, specOf, writeResult, type DescribeOptions } from './describe.js';

async function typesCommand(opts: DescribeOptions, ctx: Context): Promise<number> {
  const loaded = await specOf('types', opts, ctx);
  if (typeof loaded === 'number') return loaded;
  const { spec, project } = loaded;
  writeResult(ctx, opts.out, generateTypes({ spec, environment: opts.env, parser: project.parser, schemaDir: project.settings.schema }));
  return 0;
}

/** Registers `pamc types` on the program; `done` receives the exit status. */
export function registerTypes(program: Command, ctx: Context, done: (status: number) => void): void {
  describeOptions(
    program.command('types').description('write TypeScript types of the spec for createClient<Database> (the shape of `supabase gen types typescript`)'),
    'write to this file (default: stdout)',
  ).action(async (opts: DescribeOptions) => done(await typesCommand(opts, ctx)));
}
