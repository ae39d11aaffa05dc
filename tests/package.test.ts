/**
 * pamc as an app installs it: `npm pack` of this repository, installed with
 * `npm install --save-dev <tarball>` into a fresh app repository (git, a
 * package.json, a hand-written migration under supabase/migrations), and
 * run there through its bin: init, build, check, types (type-checked with
 * the app's @supabase/supabase-js), docs, and pull from a real PostgreSQL
 * when PAMC_TEST_DATABASE_URL names one.
 *
 * The tarball is packed from the dist/ that `npm test` built
 * (--ignore-scripts: rebuilding dist/ while other tests run the CLI would
 * race with them); the install reuses the npm cache that `npm ci` filled
 * (--prefer-offline, online only for what the cache lacks).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, ROOT } from './helpers/project.js';
import { queryOnce, testDatabaseUrl, withScratchDatabase } from './helpers/db.js';
import { markedLines, typeErrors } from './helpers/typecheck.js';

const url = testDatabaseUrl();
if (!url) console.info('package test: the pull step is skipped: set PAMC_TEST_DATABASE_URL to run it');

const HAND_WRITTEN = `CREATE TABLE IF NOT EXISTS public.profiles (
  id uuid PRIMARY KEY REFERENCES auth.users (id) ON DELETE CASCADE,
  username text UNIQUE,
  updated_at timestamptz DEFAULT now()
);
ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;
`;

/** A program the app writes against the generated types; each `// error:` line must fail to compile, and only those. */
const CLIENT = `import { createClient } from '@supabase/supabase-js';
import type { Database, Tables, TablesInsert, TablesUpdate } from './database.types.js';

const supabase = createClient<Database>('http://localhost:54321', 'anon-key');

export async function reads(): Promise<string[]> {
  const { data } = await supabase.from('notes').select('id, body, created_at').eq('user_id', 'a').order('created_at');
  const first: { id: string; body: string; created_at: string } | undefined = data?.[0];
  void first;
  return (data ?? []).map((n) => n.body);
}

export async function writes(): Promise<void> {
  await supabase.from('notes').insert({ user_id: 'a', body: 'hello' });
  await supabase.from('notes').update({ body: 'changed' }).eq('id', 'b');
  const row: Tables<'notes'> | null = null;
  const insert: TablesInsert<'notes'> = { user_id: 'a', body: 'x' };
  const update: TablesUpdate<{ schema: 'public' }, 'notes'> = {};
  void row;
  void insert;
  void update;
}

export async function mistakes(): Promise<void> {
  const { data } = await supabase.from('notes').select('id, text');
  const first: { id: string } | undefined = data?.[0]; // error: text is not a column
  void first;
  await supabase.from('notes').select('id').eq('text', 'a'); // error: text is not a column
  await supabase.from('notes').insert({ user_id: 'a', body: 42 }); // error: body is text
  await supabase.from('notes').insert({ user_id: 'a' }); // error: body is required
  await supabase.from('note').select('id'); // error: no such table
  const id: Tables<'notes'>['id'] = 1; // error: ids are uuids (strings)
  void id;
}
`;

/** An environment for npm without the npm_* variables of the npm that runs the tests. */
function npmEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', NO_COLOR: '1' };
}

function sh(cwd: string, command: string, args: string[], env: NodeJS.ProcessEnv = npmEnv()): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 120_000 });
  const out = { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  if (out.status !== 0 && command === 'npm') throw new Error(`npm ${args.join(' ')} failed (${out.status}):\n${out.stderr}`);
  return out;
}

describe('the package', () => {
  it('installs into an app repository and runs there: init, build, check, types, docs, pull', { timeout: 170_000 }, async () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -p tsconfig.json)`);
    const work = mkdtempSync(join(tmpdir(), 'pamc-package-'));
    const steps: string[] = [];
    const t0 = performance.now();
    const lap = (what: string): void => void steps.push(`${what} ${Math.round(performance.now() - t0)} ms`);
    try {
      // Pack: what ships, and what does not.
      const packed = JSON.parse(sh(ROOT, 'npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work]).stdout) as Array<{
        filename: string;
        files: Array<{ path: string }>;
      }>;
      const files = packed[0]!.files.map((f) => f.path);
      expect(files).toContain('dist/compiler/cli/main.js');
      expect(files).toContain('compiler/validate/pamc.schema.json');
      expect(files).toContain('docs/rules/drop-column.md');
      expect(files.filter((f) => /^(schema|out|tests|compiler\/(?!validate\/pamc\.schema\.json))/.test(f) || f.endsWith('.map'))).toEqual([]);
      const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
      expect(manifest.private).toBeUndefined();
      expect(manifest.scripts?.prepack).toBe('tsc -p tsconfig.json');
      expect(manifest.dependencies?.typescript).toBeUndefined();
      lap('pack');

      // A fresh app repository with a hand-written migration.
      const app = join(work, 'app');
      mkdirSync(join(app, 'supabase/migrations'), { recursive: true });
      sh(app, 'git', ['init', '-q']);
      writeFileSync(join(app, 'package.json'), '{\n  "name": "wheels-and-wins",\n  "private": true,\n  "type": "module"\n}\n');
      writeFileSync(join(app, 'supabase/migrations/20240101000000_profiles.sql'), HAND_WRITTEN);
      const supabaseJs = JSON.parse(readFileSync(join(ROOT, 'node_modules/@supabase/supabase-js/package.json'), 'utf8')) as { version: string };
      sh(app, 'npm', ['install', '--prefer-offline', '--save-dev', join(work, packed[0]!.filename), `@supabase/supabase-js@${supabaseJs.version}`]);
      expect(existsSync(join(app, 'node_modules/pamc/compiler/validate/pamc.schema.json'))).toBe(true);
      lap('install');

      const pamc = (...args: string[]): { status: number; stdout: string; stderr: string } =>
        sh(app, process.execPath, [join(app, 'node_modules/.bin/pamc'), ...args], { ...npmEnv(), SOURCE_DATE_EPOCH: '1767225600' });

      // The first command goes through npx, as the README says; the others run the same bin with node.
      const init = sh(app, 'npx', ['--no-install', 'pamc', 'init']);
      expect(init.status).toBe(0);
      expect(init.stdout).toContain('added the pamc settings in package.json (schema: schema, out: supabase/migrations, base: origin/main)');
      expect(readFileSync(join(app, 'supabase/migrations/20240101000000_profiles.sql'), 'utf8')).toBe(HAND_WRITTEN);
      const build = pamc('build');
      expect(build.stderr).toBe('');
      expect(build.stdout).toBe('wrote supabase/migrations/20260101000000_notes.sql\n');
      lap('init, build');

      expect(pamc('types', '--out', 'src/database.types.ts').stdout).toBe('wrote src/database.types.ts\n');
      writeFileSync(join(app, 'src/client.ts'), CLIENT);
      const errors = typeErrors(app, ['src/client.ts', 'src/database.types.ts']);
      expect(errors.filter((e) => e.file !== 'client.ts')).toEqual([]);
      expect([...new Set(errors.map((e) => e.line))]).toEqual(markedLines(CLIENT));
      lap('types');

      expect(pamc('docs', '--out', 'docs/schema.md').status).toBe(0);
      expect(readFileSync(join(app, 'docs/schema.md'), 'utf8')).toContain('### `notes`');
      lap('docs');

      if (url) {
        await withScratchDatabase(async (db) => {
          await queryOnce(db, `CREATE SCHEMA auth; CREATE TABLE auth.users (id uuid PRIMARY KEY); ${HAND_WRITTEN}`);
          const pull = sh(app, process.execPath, [join(app, 'node_modules/.bin/pamc'), 'pull'], { ...npmEnv(), DATABASE_URL: db });
          expect(pull.stdout).toBe('wrote schema/phase-0-existing.yaml (1 table of schema public, declared existing:)\n');
          expect(pull.status).toBe(0);
        });
        expect(readFileSync(join(app, 'schema/phase-0-existing.yaml'), 'utf8')).toContain(
          '      id:         { type: uuid, primary_key: true, references: auth.users(id), on_delete: cascade }\n',
        );
        lap('pull');
      }
      // What CI runs; with the pulled declarations too when there was a database.
      const check = pamc('check');
      expect(check.stderr).toBe("not pamc's (left alone): supabase/migrations/20240101000000_profiles.sql\n");
      expect(check.stdout).toBe('pamc check: ok (1 migration, 0 warnings)\n');
      lap('check');
      console.info(`package test: ${steps.join(', ')}`);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
