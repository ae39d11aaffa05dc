/**
 * `pamc verify`: applies an environment's migrations to a real PostgreSQL
 * (embedded, or a server inside a transaction that is rolled back),
 * compares the catalog with the spec, scans for exposure and probes every
 * access rule. See ../verify for what it proves.
 *
 * Exit 0: proven; 1: verified, and something is wrong (a migration failed,
 * drift, exposure, a failed probe), or a spec that is not built; 2: could
 * not verify (a lock verify could not take within its retries, the
 * statement timeout) or a usage, I/O or connection failure; 130/143:
 * interrupted by SIGINT/SIGTERM, after rolling back and closing.
 *
 * The server comes from --database-url, else PAMC_DATABASE_URL, else
 * DATABASE_URL; --embedded uses the embedded database even when one of those
 * is set. While verify runs, SIGINT and SIGTERM cancel the running
 * statement, roll back and close the connection; a second signal exits at
 * once (the server rolls back when the connection closes).
 */
import { PGLITE_EXTENSIONS } from '../sql/extensions.js';
import { plural } from '../report/render.js';
import { hasErrors } from '../report/diagnostic.js';
import { renderJson, renderText } from '../report/render.js';
import type { Environment } from '../model/types.js';
import type { Connection } from '../verify/db.js';
import type { VerifyInput, VerifyReport } from '../verify/index.js';
import { verifyMigrations } from '../verify/migrations.js';
import { fail, styleFor, type Context } from './context.js';
import { IoError } from './io.js';
import { loadProject, type LoadedProject } from './project.js';

/** VerifyCommandOptions are the options of `pamc verify`. */
interface VerifyCommandOptions {
  env: Environment;
  databaseUrl?: string;
  embedded?: boolean;
  lockTimeout: number;
  statementTimeout: number;
  format: 'text' | 'json';
  schema?: string;
  out?: string;
  timings?: boolean;
}

/** DatabaseTarget is the server verify runs on, and the flag or variable that named it. */
export interface DatabaseTarget {
  url: string;
  from: '--database-url' | 'PAMC_DATABASE_URL' | 'DATABASE_URL';
}

/** The server to verify on: --database-url, else PAMC_DATABASE_URL, else DATABASE_URL (empty values do not count); none with --embedded. */
export function databaseTarget(opts: { databaseUrl?: string; embedded?: boolean }, env: Context['env']): DatabaseTarget | null {
  if (opts.databaseUrl !== undefined) return { url: opts.databaseUrl, from: '--database-url' };
  if (opts.embedded) return null;
  for (const name of ['PAMC_DATABASE_URL', 'DATABASE_URL'] as const) {
    const url = env[name];
    if (url !== undefined && url !== '') return { url, from: name };
  }
  return null;
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
  const set = verifyMigrations(output.plan, output.foreign, opts.env, project.input.outFiles, project.settings.out);
  if (set.missing.length) throw new IoError(`${set.missing.join(', ')} ${set.missing.length === 1 ? 'is' : 'are'} listed in the lock but missing`);
  const warnings = output.diagnostics.filter((d) => d.acknowledged === undefined).length;
  if (text && warnings) ctx.stderr.write(`pamc verify: the spec has ${plural(warnings, 'warning')}; \`pamc check\` shows them\n`);
  return { input: { spec: output.spec, environment: opts.env, migrations: set.files, skipped: set.skipped }, project };
}

const SIGNAL_STATUS: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Runs `body` with SIGINT and SIGTERM turned into an abort of `controller`
 * (verify then cancels its statement, rolls back and returns); a second
 * signal exits at once with the signal's status.
 */
async function withSignals<T>(ctx: Context, controller: AbortController, body: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      ctx.stderr.write(`pamc verify: ${signal}: cancelling, rolling back and closing the connection…\n`);
      controller.abort(signal);
      return;
    }
    ctx.stderr.write(`pamc verify: ${signal} again: exiting now; the server rolls back when the connection closes\n`);
    process.exit(SIGNAL_STATUS[signal] ?? 2);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** The exit status of a finished run. */
function statusOf(report: VerifyReport, controller: AbortController): number {
  if (report.aborted?.reason === 'interrupted') return SIGNAL_STATUS[String(controller.signal.reason)] ?? 2;
  if (report.aborted) return 2;
  return report.ok ? 0 : 1;
}

export async function verifyCommand(opts: VerifyCommandOptions, ctx: Context): Promise<number> {
  // Loaded when verify runs, not when pamc starts: the other commands never need them.
  const [db, { verify }, { renderVerifyJson, renderVerifyText }] = await Promise.all([
    import('../verify/db.js'),
    import('../verify/index.js'),
    import('../verify/render.js'),
  ]);
  if (opts.embedded && opts.databaseUrl !== undefined) return fail(ctx, '--embedded and --database-url exclude each other');
  const target = databaseTarget(opts, ctx.env);
  const problem = target ? db.databaseUrlProblem(target.url) : null;
  if (problem) return fail(ctx, target!.from === '--database-url' ? problem : problem.replace('--database-url', target!.from));
  const progress = ctx.stderr.isTTY ? (message: string): void => ctx.stderr.write(`pamc verify: ${message}…\n`) : undefined;
  const ready = await readyProject(opts, ctx);
  if (typeof ready === 'number') return ready;
  const extensions = [...new Set(ready.input.spec.phases.flatMap((p) => p.features.flatMap((f) => f.extensions.map((x) => x.value))))];
  const missing = target ? [] : db.unavailableExtensions(extensions);
  if (missing.length) {
    return fail(
      ctx,
      `the embedded PostgreSQL (PGlite) cannot load ${missing.map((m) => `extension ${m}`).join(', ')}; verify against a server that has ${missing.length === 1 ? 'it' : 'them'} with --database-url (PGlite ships ${Object.keys(PGLITE_EXTENSIONS).join(', ')})`,
    );
  }
  const controller = new AbortController();
  return withSignals(ctx, controller, async () => {
    const t0 = performance.now();
    let connection: Connection;
    try {
      progress?.(target ? `connecting to ${db.redactUrl(target.url)}` : 'starting the embedded PostgreSQL');
      connection = target ? await db.openServer(target.url) : await db.openEmbedded(extensions);
    } catch (error) {
      if (error instanceof db.ConnectionError) return fail(ctx, error.message);
      throw error;
    }
    const start = performance.now() - t0;
    let report: VerifyReport;
    try {
      report = await verify(ready.input, {
        connection,
        ...(progress ? { progress } : {}),
        parser: ready.project.parser,
        lockTimeoutMs: opts.lockTimeout,
        statementTimeoutMs: opts.statementTimeout,
        signal: controller.signal,
      });
    } catch (error) {
      const e = db.asDbError(error);
      if (e) return fail(ctx, `verify could not run on this database: ${e.message} (SQLSTATE ${e.code})`);
      if (error instanceof db.ConnectionError) return fail(ctx, error.message);
      if (connection.kind === 'server' && error instanceof Error && !(error instanceof TypeError) && !(error instanceof RangeError)) {
        return fail(ctx, `the database connection failed: ${error.message}`);
      }
      throw error;
    } finally {
      await connection.close();
    }
    const shown: VerifyReport = { ...report, target: { ...report.target, ...(target ? { url: db.redactUrl(target.url), from: target.from } : {}) } };
    shown.timings = { start, ...report.timings };
    ctx.stdout.write(opts.format === 'text' ? renderVerifyText(shown, opts.timings === true) : renderVerifyJson(shown));
    return statusOf(report, controller);
  });
}
