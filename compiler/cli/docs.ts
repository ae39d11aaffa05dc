/**
 * `pamc docs`: a Markdown data dictionary of the spec (../dictionary):
 * tables, columns, constraints, access rules, where each came from, and a
 * Mermaid diagram. Exit 0: written; 1: the spec has errors; 2: usage or I/O
 * failure.
 */
import { generateDictionary } from '../dictionary/index.js';
import type { Context } from './context.js';
import { specOf, writeResult, type DescribeOptions } from './describe.js';

export async function docsCommand(opts: DescribeOptions, ctx: Context): Promise<number> {
  const loaded = await specOf('docs', opts, ctx);
  if (typeof loaded === 'number') return loaded;
  const { spec, project } = loaded;
  writeResult(ctx, opts.out, generateDictionary({ spec, environment: opts.env, parser: project.parser, schemaDir: project.settings.schema }));
  return 0;
}
