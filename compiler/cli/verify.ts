/**
 * `pamc verify`: applies an environment's migrations to a real PostgreSQL
 * (embedded, or --database-url inside a transaction that is rolled back),
 * compares the catalog with the spec and probes every owner rule. See
 * ../verify for what it proves. Exit 0: proven; 1: a migration failed,
 * drift, a failed probe, or a spec that is not built; 2: usage, I/O or
 * connection failure.
 */
import { Option, type Command } from 'commander';
import { hasErrors } from '../report/diagnostic.js';
import { renderJson, renderText } from '../report/render.js';
import type { Environment } from '../model/types.js';
import type { Connection } from '../verify/db.js';
import type { VerifyInput } from '../verify/index.js';
import { migrationSet } from '../verify/expected.js';
import { fail, styleFor, type Context } from './context.js';
import { IoError } from './io.js';
import { loadProject, type LoadedProject } from './project.js';

/** VerifyCommandOptions are the options of `pamc verify`. */
interface VerifyCommandOptions {
  env: Environment;
  databaseUrl?: string;
  format: 'text' | 'json';
  schema?: string;
  out?: string;
  timings?: boolean;
}

/** The project ready to verify, or the exit status of why it is not (spec errors, features not built). */
async function readyProject(opts: VerifyCommandOptions, ctx: Context): Promise<{ input: VerifyInput; project: LoadedProject } | number> {
  const project = await loadProject(ctx.cwd, opts, new Date());
  const { output, sources } = project;
  const text = opts.format === 'text';
  const shown = (): string => renderText(output.diagnostics, sources, styleFor(ctx.stderr, ctx.env));
  if (hasErrors(output.diagnostics) || !output.spec) {
    if (text) ctx.stderr.write(`${shown()}pamc verify: the spec has errors; nothing was verified (fix them first; \`pamc check\` lists them too)\n`);
    else ctx.stdout.write(renderJson(output.diagnostics, sources, { ok: false, reason: 'spec-errors' }));
    return 1;
  }
  const fresh = output.plan.filter((p) => p.status === 'new').map((p) => p.feature);
  if (fresh.length) {
    const message = `${fresh.map((f) => `\`${f}\``).join(', ')} ${fresh.length === 1 ? 'has' : 'have'} no migration yet: run \`pamc build\` first, then verify what it wrote`;
    if (text) ctx.stderr.write(`${shown()}pamc verify: ${message}\n`);
    else ctx.stdout.write(renderJson(output.diagnostics, sources, { ok: false, reason: 'not-built', features: fresh, message }));
    return 1;
  }
  const set = migrationSet(output.plan, opts.env, project.input.outFiles, project.settings.out);
  if (set.missing.length) throw new IoError(`${set.missing.join(', ')} ${set.missing.length === 1 ? 'is' : 'are'} listed in the lock but missing`);
  const warnings = output.diagnostics.length;
  if (text && warnings) ctx.stderr.write(`pamc verify: the spec has ${warnings} warning${warnings === 1 ? '' : 's'}; \`pamc check\` shows them\n`);
  return { input: { spec: output.spec, environment: opts.env, migrations: set.files }, project };
}

async function verifyCommand(opts: VerifyCommandOptions, ctx: Context): Promise<number> {
  // Loaded when verify runs, not when pamc starts: the other commands never need them.
  const [{ asDbError, ConnectionError, databaseUrlProblem, openEmbedded, openServer, redactUrl }, { verify }, { renderVerifyJson, renderVerifyText }] =
    await Promise.all([import('../verify/db.js'), import('../verify/index.js'), import('../verify/render.js')]);
  if (opts.databaseUrl !== undefined) {
    const problem = databaseUrlProblem(opts.databaseUrl);
    if (problem) return fail(ctx, problem);
  }
  const progress = ctx.stderr.isTTY ? (message: string): void => ctx.stderr.write(`pamc verify: ${message}…\n`) : undefined;
  const ready = await readyProject(opts, ctx);
  if (typeof ready === 'number') return ready;
  const t0 = performance.now();
  let connection: Connection;
  try {
    progress?.(opts.databaseUrl !== undefined ? `connecting to ${redactUrl(opts.databaseUrl)}` : 'starting the embedded PostgreSQL');
    connection = opts.databaseUrl !== undefined ? await openServer(opts.databaseUrl) : await openEmbedded();
  } catch (error) {
    if (error instanceof ConnectionError) return fail(ctx, error.message);
    throw error;
  }
  const start = performance.now() - t0;
  let report;
  try {
    report = await verify(ready.input, { connection, progress });
  } catch (error) {
    const e = asDbError(error);
    if (e) return fail(ctx, `verify could not run on this database: ${e.message} (SQLSTATE ${e.code})`);
    if (error instanceof ConnectionError) return fail(ctx, error.message);
    if (connection.kind === 'server' && error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError)) {
      return fail(ctx, `the database connection failed: ${error.message}`);
    }
    throw error;
  } finally {
    await connection.close();
  }
  const shown = { ...report, timings: { start, ...report.timings } };
  ctx.stdout.write(opts.format === 'text' ? renderVerifyText(shown, opts.timings === true) : renderVerifyJson(shown));
  return report.ok ? 0 : 1;
}

/** Registers `pamc verify` on the program; `done` receives the exit status. */
export function registerVerify(program: Command, ctx: Context, done: (status: number) => void): void {
  program
    .command('verify')
    .description(
      'apply the migrations to a real PostgreSQL (embedded, or --database-url in a rolled-back transaction), compare the catalog with the spec and probe every owner rule',
    )
    .addOption(
      new Option('--env <environment>', 'which migrations: production (out/) or staging (out/staging/)')
        .choices(['production', 'staging'])
        .default('production'),
    )
    .option('--database-url <url>', 'verify against this server (postgres://...) inside one transaction that is rolled back, instead of an embedded PostgreSQL')
    .option('--schema <dir>', 'directory of phase files (default: "schema", or package.json pamc.schema)')
    .option('--out <dir>', 'output directory (default: "out", or package.json pamc.out)')
    .option('--timings', 'print the time each step took')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: VerifyCommandOptions) => done(await verifyCommand(opts, ctx)));
}
