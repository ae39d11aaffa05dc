/**
 * Every command and its options, for commander. A command's code is loaded
 * when it runs: `pamc --version` or `pamc init` never load the compiler,
 * and `pamc check` never loads verify, pull or the generators.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import type { Context } from './context.js';
import { FORMATS } from '../report/formats.js';

/** The package's root directory (for package.json and docs/), from dist/compiler/cli/. */
export const PACKAGE_ROOT = new URL('../../../', import.meta.url);

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('package.json', PACKAGE_ROOT), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export function formatOption(): Option {
  return new Option('--format <format>', 'output format').choices(FORMATS as unknown as string[]).default('text');
}

/** The options build and check share. */
function commonOptions(c: Command): Command {
  return c
    .option('--schema <dir>', 'directory of phase files (default: "schema", or package.json pamc.schema)')
    .option('--out <dir>', 'output directory (default: "out", or package.json pamc.out)')
    .option('--now <date>', 'the clock for new versions: ISO 8601 or epoch seconds (default: SOURCE_DATE_EPOCH, else now)')
    .option('--timings', 'print the time each stage took to stderr')
    .addOption(formatOption())
    .option('--base <ref>', 'what was shipped is the lock at this git ref (e.g. origin/main); default: package.json pamc.base, when git has it')
    .option('--no-base', 'ignore pamc.base: everything in the lock is shipped')
    .option('--show-acknowledged', 'also print the warnings the spec acknowledges');
}

function milliseconds(value: string): number {
  const n = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError('expected a whole number of milliseconds, at least 1');
  return n;
}

/** The options of types and docs. */
function describeOptions(command: Command, outHelp: string): Command {
  return command
    .addOption(
      new Option('--env <environment>', 'which features: production, or staging (production and the staging-only ones)')
        .choices(['production', 'staging'])
        .default('production'),
    )
    .option('--out <file>', outHelp)
    .option('--schema <dir>', 'directory of phase files (default: "schema", or package.json pamc.schema)');
}

type Done = (status: number) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command's options type is its own module's
type Action = (opts: any, ctx: Context) => Promise<number> | number;

/** An action that loads the command's module when the command runs. */
function lazy(ctx: Context, done: Done, load: () => Promise<Action>) {
  return async (opts: unknown): Promise<void> => done(await (await load())(opts, ctx));
}

/** `pamc verify` and its options. */
function verifyCommand(p: Command, ctx: Context, done: Done): void {
  p.command('verify')
    .description(
      'apply the migrations to a real PostgreSQL (embedded, or a server in a rolled-back transaction), compare the catalog with the spec, scan for exposure and probe every access rule',
    )
    .addOption(
      new Option('--env <environment>', 'which migrations: production (out/) or staging (out/staging/)')
        .choices(['production', 'staging'])
        .default('production'),
    )
    .option(
      '--database-url <url>',
      'verify against this server (postgres://...) inside one transaction that is rolled back (default: PAMC_DATABASE_URL, then DATABASE_URL; else embedded)',
    )
    .option('--embedded', 'use the embedded PostgreSQL even when PAMC_DATABASE_URL or DATABASE_URL is set')
    .addOption(
      new Option('--lock-timeout <ms>', 'server: how long each statement waits for a lock before it is retried (3 retries)')
        .argParser(milliseconds)
        .default(1000),
    )
    .addOption(new Option('--statement-timeout <ms>', 'server: the longest any one statement may run').argParser(milliseconds).default(60_000))
    .option('--schema <dir>', 'directory of phase files (default: "schema", or package.json pamc.schema)')
    .option('--out <dir>', 'output directory (default: "out", or package.json pamc.out)')
    .option('--timings', 'print the time each step took')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(lazy(ctx, done, async () => (await import('./verify.js')).verifyCommand));
}

/** The program: every command, its options and (loaded when it runs) its action. */
export function program(ctx: Context, done: Done): Command {
  const p = new Command('pamc')
    .description('Compile a declarative YAML schema into additive PostgreSQL/Supabase migrations.')
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
  commonOptions(p.command('build').description('validate the spec and write one migration per new feature'))
    .option('--dry-run', 'print the SQL it would write, and what it would remove; change nothing')
    .action(lazy(ctx, done, async () => (await import('./build.js')).buildCommand));
  commonOptions(p.command('check').description('fail if the spec is invalid, out/ is stale or edited, or a change is destructive')).action(
    lazy(ctx, done, async () => (await import('./check.js')).checkCommand),
  );
  p.command('explain [rule]')
    .description("print a rule's documentation, or list every rule")
    .action(async (id: string | undefined) => done((await import('./explain.js')).explainCommand(id, ctx)));
  verifyCommand(p, ctx, done);
  describeOptions(
    p.command('types').description('write TypeScript types of the spec for createClient<Database> (the shape of `supabase gen types typescript`)'),
    'write to this file (default: stdout)',
  ).action(lazy(ctx, done, async () => (await import('./types.js')).typesCommand));
  describeOptions(
    p.command('docs').description('write a Markdown data dictionary of the spec: tables, columns, access rules, origins and a diagram'),
    'write to this file, e.g. docs/schema.md (default: stdout)',
  ).action(lazy(ctx, done, async () => (await import('./docs.js')).docsCommand));
  p.command('init')
    .description('set pamc up in this repository: schema/ with an example, package.json settings, a CI workflow, .gitattributes')
    .option('--schema <dir>', 'directory of phase files (default: "schema")')
    .option('--out <dir>', 'migrations directory (default: supabase/migrations in a Supabase project, else "out")')
    .option('--prefix <prefix>', 'table-name prefix that policy names leave out (e.g. "pam_")')
    .option('--no-workflow', 'do not write .github/workflows/pamc.yml')
    .action(lazy(ctx, done, async () => (await import('./init.js')).initCommand));
  p.command('pull')
    .description(
      "write a phase file declaring an existing database's tables `existing:` (reads only; the URL: --database-url, PAMC_DATABASE_URL or DATABASE_URL)",
    )
    .option('--database-url <url>', 'the database to read (postgres://...); default: PAMC_DATABASE_URL, else DATABASE_URL')
    .option('--schema-name <name>', 'the database schema to read', 'public')
    .option('--out-file <file>', 'the phase file to write (default: <schema>/phase-0-existing.yaml)')
    .option('--force', 'overwrite the file if it exists')
    .action(lazy(ctx, done, async () => (await import('./pull.js')).pullCommand));
  return p;
}
