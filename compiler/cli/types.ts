/**
 * `pamc types`: TypeScript types of the spec's tables in schema public, in
 * the shape `supabase gen types typescript` prints (../typegen), with no
 * database. Exit 0: written; 1: the spec has errors; 2: usage or I/O failure.
 */
import { generateTypes } from '../typegen/index.js';
import type { Context } from './context.js';
import { specOf, writeResult, type DescribeOptions } from './describe.js';

export async function typesCommand(opts: DescribeOptions, ctx: Context): Promise<number> {
  const loaded = await specOf('types', opts, ctx);
  if (typeof loaded === 'number') return loaded;
  const { spec, project } = loaded;
  writeResult(ctx, opts.out, generateTypes({ spec, environment: opts.env, parser: project.parser, schemaDir: project.settings.schema }));
  return 0;
}
