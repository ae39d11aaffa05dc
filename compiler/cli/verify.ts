/**
 * `pamc verify`: applies an environment's migrations to a real PostgreSQL
 * (embedded, or --database-url inside a transaction that is rolled back),
 * compares the catalog with the spec and probes every owner rule. See
 * ../verify for what it proves. Exit 0: proven; 1: a migration failed,
 * drift, a failed probe, or a spec that is not built; 2: usage, I/O or
 * connection failure.
 */
import { Option, type Command } from 'commander';
import { renderJson, renderText } from '../report/render.js';
import type { Environment } from '../model/types.js';
import { IoError } from './io.js';
import type { Connection } from '../verify/db.js';

/** VerifyCommandOptions are the options of `pamc verify`. */
interface VerifyCommandOptions {
  env: Environment;
  databaseUrl?: string;
  format: 'text' | 'json';
  schema?: string;
  out?: string;
  timings?: boolean;
}

function useColor(): boolean {
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== '0') return true;
  return process.stderr.isTTY === true;
}

function fail(message: string): number {
  process.stderr.write(`pamc: ${message}\n`);
  return 2;
}

async function verifyCommand(opts: VerifyCommandOptions): Promise<number> {
  // Loaded when verify runs, not when pamc starts: the other commands never need them.
  const [
    { asDbError, ConnectionError, databaseUrlProblem, openEmbedded, openServer, redactUrl },
    { loadProject },
    { verify },
    { renderVerifyJson, renderVerifyText },
  ] = await Promise.all([import('../verify/db.js'), import('../verify/project.js'), import('../verify/index.js'), import('../verify/render.js')]);
  if (opts.databaseUrl !== undefined) {
    const problem = databaseUrlProblem(opts.databaseUrl);
    if (problem) return fail(problem);
  }
  const progress = process.stderr.isTTY ? (message: string): void => void process.stderr.write(`pamc verify: ${message}…\n`) : undefined;
  const project = await loadProject({ cwd: process.cwd(), schema: opts.schema, out: opts.out, environment: opts.env });
  const text = opts.format === 'text';
  switch (project.kind) {
    case 'errors':
      if (text)
        process.stderr.write(
          `${renderText(project.diagnostics, project.sources, useColor())}pamc verify: the spec has errors; nothing was verified (fix them first; \`pamc check\` lists them too)\n`,
        );
      else process.stdout.write(renderJson(project.diagnostics, project.sources, { ok: false, reason: 'spec-errors' }));
      return 1;
    case 'unbuilt': {
      const message = `${project.features.map((f) => `\`${f}\``).join(', ')} ${project.features.length === 1 ? 'has' : 'have'} no migration yet: run \`pamc build\` first, then verify what it wrote`;
      if (text) process.stderr.write(`${renderText(project.diagnostics, project.sources, useColor())}pamc verify: ${message}\n`);
      else process.stdout.write(renderJson(project.diagnostics, project.sources, { ok: false, reason: 'not-built', features: project.features, message }));
      return 1;
    }
    case 'ready':
      break;
  }
  const warnings = project.diagnostics.length;
  if (text && warnings) process.stderr.write(`pamc verify: the spec has ${warnings} warning${warnings === 1 ? '' : 's'}; \`pamc check\` shows them\n`);

  const t0 = performance.now();
  let connection: Connection;
  try {
    if (opts.databaseUrl !== undefined) {
      progress?.(`connecting to ${redactUrl(opts.databaseUrl)}`);
      connection = await openServer(opts.databaseUrl);
    } else {
      progress?.('starting the embedded PostgreSQL');
      connection = await openEmbedded();
    }
  } catch (error) {
    if (error instanceof ConnectionError) return fail(error.message);
    throw error;
  }
  const start = performance.now() - t0;
  let report;
  try {
    report = await verify(project.input, { connection, progress });
  } catch (error) {
    const e = asDbError(error);
    if (e) return fail(`verify could not run on this database: ${e.message} (SQLSTATE ${e.code})`);
    if (error instanceof ConnectionError) return fail(error.message);
    if (connection.kind === 'server' && error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError))
      return fail(`the database connection failed: ${error.message}`);
    throw error;
  } finally {
    await connection.close();
  }
  report.timings = { start, ...report.timings };
  process.stdout.write(text ? renderVerifyText(report, opts.timings === true) : renderVerifyJson(report));
  return report.ok ? 0 : 1;
}

/** Registers `pamc verify` on the program; `done` receives the exit status. */
export function registerVerify(program: Command, done: (status: number) => void): void {
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
    .action(async (opts: VerifyCommandOptions) => {
      try {
        done(await verifyCommand(opts));
      } catch (error) {
        if (error instanceof IoError) {
          done(fail(error.message));
          return;
        }
        throw error;
      }
    });
}
