/**
 * What the commands that describe a spec share (`pamc types`, `pamc docs`):
 * the spec of the project, refused while it has errors, and writing the
 * result to a file or to stdout.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { hasErrors } from '../report/diagnostic.js';
import { renderText } from '../report/render.js';
import type { Environment, Spec } from '../model/types.js';
import { styleFor, type Context } from './context.js';
import { IoError } from './io.js';
import { loadProject, type LoadedProject } from './project.js';

/** DescribeOptions are the options of the commands that describe a spec. */
export interface DescribeOptions {
  env: Environment;
  out?: string;
  schema?: string;
}

/** The project's spec, or exit status 1 after printing why there is none (the spec has errors). */
export async function specOf(command: string, opts: DescribeOptions, ctx: Context): Promise<{ spec: Spec; project: LoadedProject } | number> {
  // --out names this command's output file, not the migrations directory: that one comes from package.json.
  const project = await loadProject(ctx.cwd, { schema: opts.schema }, new Date());
  const { output, sources } = project;
  if (hasErrors(output.diagnostics) || !output.spec) {
    ctx.stderr.write(renderText(output.diagnostics, sources, styleFor(ctx.stderr, ctx.env)));
    ctx.stderr.write(`pamc ${command}: the spec has errors; nothing was written (fix them first; \`pamc check\` lists them too)\n`);
    return 1;
  }
  return { spec: output.spec, project };
}

/** Writes `text` to `out` (relative to the working directory; its directory is created) and says so, or to stdout without --out. */
export function writeResult(ctx: Context, out: string | undefined, text: string): void {
  if (out === undefined) {
    ctx.stdout.write(text);
    return;
  }
  const path = resolve(ctx.cwd, out);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  } catch (error) {
    throw new IoError(`cannot write ${out}: ${(error as Error).message}`);
  }
  ctx.stdout.write(`wrote ${out}\n`);
}
