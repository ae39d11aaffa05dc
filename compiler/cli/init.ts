/**
 * `pamc init`: sets pamc up in an app's repository: the schema directory
 * with an example phase, the "pamc" settings in package.json, a CI workflow
 * and the .gitattributes line that lets git merge the lock. In a Supabase
 * project (supabase/migrations or supabase/config.toml) the output directory
 * is supabase/migrations, whose files it leaves alone. Whatever is already
 * there stays as it is, so running it twice changes nothing. Exit 0: done;
 * 2: usage or I/O failure.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PackageJsonError, withPamcSettings, type PamcSettings } from '../init/package-json.js';
import { examplePhase, gitattributesLine, withGitattributesLine, workflow, type InitSettings } from '../init/templates.js';
import { fail, type Context } from './context.js';
import { IoError } from './io.js';
import { schemaReference } from './schema-ref.js';

/** InitOptions are the options of `pamc init`. */
interface InitOptions {
  schema?: string;
  out?: string;
  prefix?: string;
  workflow: boolean;
}

const SUPABASE_MIGRATIONS = 'supabase/migrations';
const EXAMPLE_FILE = 'phase-1-notes.yaml';
const WORKFLOW_FILE = '.github/workflows/pamc.yml';

function trim(path: string): string {
  return path.replace(/\/+$/, '') || '.';
}

/** The settings init writes: flags, else what package.json says, else the defaults (supabase/migrations in a Supabase project). */
function wantedSettings(cwd: string, pkg: Record<string, unknown>, opts: InitOptions): PamcSettings {
  const current = (typeof pkg.pamc === 'object' && pkg.pamc !== null ? pkg.pamc : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const supabase = existsSync(join(cwd, SUPABASE_MIGRATIONS)) || existsSync(join(cwd, 'supabase/config.toml'));
  const out: PamcSettings = {
    schema: trim(opts.schema ?? str(current.schema) ?? 'schema'),
    out: trim(opts.out ?? str(current.out) ?? (supabase ? SUPABASE_MIGRATIONS : 'out')),
  };
  const prefix = opts.prefix ?? str(current.prefix);
  if (prefix !== undefined) out.prefix = prefix;
  // What the team merges into: what its lock lists is shipped, the rest of a branch's migrations is work in progress.
  out.base = str(current.base) ?? 'origin/main';
  return out;
}

function hasPhaseFiles(dir: string): boolean {
  if (!existsSync(dir)) return false;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).some((f) => /\.ya?ml$/.test(f));
}

function writeNew(cwd: string, rel: string, text: string): void {
  const path = resolve(cwd, rel);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text, { flag: 'wx' });
  } catch (error) {
    throw new IoError(`cannot write ${rel}: ${(error as Error).message}`);
  }
}

function readText(path: string): string | null {
  try {
    return existsSync(path) ? readFileSync(path, 'utf8') : null;
  } catch (error) {
    throw new IoError(`cannot read ${path}: ${(error as Error).message}`);
  }
}

/** Each step returns one line of what it did. */
function packageStep(cwd: string, text: string, wanted: PamcSettings): string {
  const edit = withPamcSettings(text, wanted);
  const shown = Object.entries(wanted)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  if (edit.change === 'none') return `left package.json as it was (pamc settings: ${shown})`;
  try {
    writeFileSync(join(cwd, 'package.json'), edit.text);
  } catch (error) {
    throw new IoError(`cannot write package.json: ${(error as Error).message}`);
  }
  return `${edit.change === 'added' ? 'added' : 'updated'} the pamc settings in package.json (${shown})`;
}

function schemaStep(cwd: string, settings: InitSettings): string {
  const dir = resolve(cwd, settings.schema);
  if (hasPhaseFiles(dir)) return `left ${settings.schema}/ as it was (it has phase files)`;
  const rel = `${settings.schema}/${EXAMPLE_FILE}`;
  writeNew(cwd, rel, examplePhase(settings, schemaReference(cwd, settings.schema)));
  return `created ${rel} (an example phase: edit it into your first feature)`;
}

function workflowStep(cwd: string, settings: InitSettings): string {
  if (existsSync(join(cwd, WORKFLOW_FILE))) return `left ${WORKFLOW_FILE} as it was (it exists)`;
  writeNew(cwd, WORKFLOW_FILE, workflow(settings));
  return `created ${WORKFLOW_FILE} (pamc check and pamc verify on pull requests)`;
}

function gitattributesStep(cwd: string, settings: InitSettings): string {
  const path = join(cwd, '.gitattributes');
  const before = readText(path);
  const line = gitattributesLine(settings);
  const after = withGitattributesLine(before, line);
  if (after === null) return `left .gitattributes as it was (it has \`${line}\`)`;
  try {
    writeFileSync(path, after);
  } catch (error) {
    throw new IoError(`cannot write .gitattributes: ${(error as Error).message}`);
  }
  return `${before === null ? 'created' : 'updated'} .gitattributes (\`${line}\`: git merges the lock line by line)`;
}

function outStep(cwd: string, settings: InitSettings): string {
  const dir = resolve(cwd, settings.out);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return `${settings.out}/ will be created by the first \`pamc build\``;
  const sql = readdirSync(dir).filter((f) => f.endsWith('.sql')).length;
  return `left ${settings.out}/ as it was (${sql} migration${sql === 1 ? '' : 's'}; pamc writes its own beside them and never touches others)`;
}

export async function initCommand(opts: InitOptions, ctx: Context): Promise<number> {
  const pkgPath = join(ctx.cwd, 'package.json');
  const text = readText(pkgPath);
  if (text === null) return fail(ctx, `no package.json in ${ctx.cwd}: run \`pamc init\` at the root of the app (\`npm init -y\` makes one)`);
  let lines: string[];
  try {
    const pkg = JSON.parse(text) as Record<string, unknown>;
    const wanted = wantedSettings(ctx.cwd, typeof pkg === 'object' && pkg !== null ? pkg : {}, opts);
    const settings: InitSettings = { schema: wanted.schema!, out: wanted.out! };
    lines = [packageStep(ctx.cwd, text, wanted), schemaStep(ctx.cwd, settings)];
    if (opts.workflow) lines.push(workflowStep(ctx.cwd, settings));
    lines.push(gitattributesStep(ctx.cwd, settings), outStep(ctx.cwd, settings));
  } catch (error) {
    if (error instanceof PackageJsonError || error instanceof SyntaxError) return fail(ctx, error.message);
    throw error;
  }
  ctx.stdout.write(`${lines.join('\n')}\nnext: npx pamc build\n`);
  return 0;
}
