/**
 * `pamc init`: scaffolds an app's repository so that `pamc build` works at
 * once; targets supabase/migrations in a Supabase project without touching
 * its files; keeps package.json as it was around the new key; a second run
 * changes nothing.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { withPamcSettings } from '../compiler/init/package-json.js';
import { runPamc, snapshot } from './helpers/project.js';

function repo(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-init-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const APP_PACKAGE =
  '{\n    "name": "wheels-and-wins",\n    "private": true,\n    "scripts": { "dev": "vite", "build": "vite build" },\n    "dependencies": { "@supabase/supabase-js": "^2.45.0" }\n}\n';
const HAND_WRITTEN = 'CREATE TABLE IF NOT EXISTS public.profiles (id uuid PRIMARY KEY REFERENCES auth.users (id));\n';

describe('pamc init', () => {
  it('sets up a Supabase project: supabase/migrations as the output, its files untouched, and pamc build works at once', async () => {
    const { dir, cleanup } = repo({ 'package.json': APP_PACKAGE, 'supabase/migrations/20240101000000_profiles.sql': HAND_WRITTEN });
    try {
      const r = await runPamc(dir, ['init']);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(
        [
          'added the pamc settings in package.json (schema: schema, out: supabase/migrations, base: origin/main)',
          'created schema/phase-1-notes.yaml (an example phase: edit it into your first feature)',
          'created .github/workflows/pamc.yml (pamc check and pamc verify on pull requests)',
          'created .gitattributes (`supabase/migrations/pamc.lock merge=union`: git merges the lock line by line)',
          'left supabase/migrations/ as it was (1 migration; pamc writes its own beside them and never touches others)',
          'next: npx pamc build',
          '',
        ].join('\n'),
      );
      const pkg = readFileSync(join(dir, 'package.json'), 'utf8');
      expect(pkg).toBe(
        APP_PACKAGE.replace(
          /\n}\n$/,
          ',\n    "pamc": {\n        "schema": "schema",\n        "out": "supabase/migrations",\n        "base": "origin/main"\n    }\n}\n',
        ),
      );
      expect(readFileSync(join(dir, '.gitattributes'), 'utf8')).toBe('supabase/migrations/pamc.lock merge=union\n');
      const example = readFileSync(join(dir, 'schema/phase-1-notes.yaml'), 'utf8');
      expect(example.split('\n')[0]).toBe('# yaml-language-server: $schema=../node_modules/pamc/compiler/validate/pamc.schema.json');

      const workflow = parse(readFileSync(join(dir, '.github/workflows/pamc.yml'), 'utf8')) as {
        on: { pull_request: unknown };
        jobs: { pamc: { steps: Array<{ uses?: string; with?: Record<string, unknown>; run?: string }> } };
      };
      // Every pull request, so that it can be a required check.
      expect(workflow.on.pull_request).toBeNull();
      const steps = workflow.jobs.pamc.steps;
      expect(steps[0]).toEqual({ uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } });
      expect(steps[1]).toMatchObject({ uses: 'actions/setup-node@v4', with: { 'node-version': 20 } });
      expect(steps.map((s) => s.run).filter(Boolean)).toEqual([
        'npm ci',
        'npx pamc check --base origin/${{ github.base_ref }} --format github',
        'npx pamc verify',
      ]);

      const build = await runPamc(dir, ['build']);
      expect(build.stderr).toBe('');
      expect(build.stdout).toMatch(/^wrote supabase\/migrations\/\d{14}_notes\.sql\n$/);
      const check = await runPamc(dir, ['check']);
      expect(check.status).toBe(0);
      expect(check.stdout).toBe('pamc check: ok (1 migration, 0 warnings)\n');
      expect(check.stderr).toBe("not pamc's (left alone): supabase/migrations/20240101000000_profiles.sql\n");
      expect(readFileSync(join(dir, 'supabase/migrations/20240101000000_profiles.sql'), 'utf8')).toBe(HAND_WRITTEN);
    } finally {
      cleanup();
    }
  });

  it('changes nothing when run again, and says what it left', async () => {
    const { dir, cleanup } = repo({ 'package.json': APP_PACKAGE });
    try {
      expect((await runPamc(dir, ['init'])).status).toBe(0);
      const before = snapshot(dir);
      const again = await runPamc(dir, ['init']);
      expect(again.status).toBe(0);
      expect(snapshot(dir)).toEqual(before);
      expect(again.stdout).toContain('left package.json as it was (pamc settings: schema: schema, out: out, base: origin/main)');
      expect(again.stdout).toContain('left schema/ as it was (it has phase files)');
      expect(again.stdout).toContain('left .github/workflows/pamc.yml as it was (it exists)');
      expect(again.stdout).toContain('left .gitattributes as it was (it has `out/pamc.lock merge=union`)');
    } finally {
      cleanup();
    }
  });

  it('takes --schema, --out, --prefix and --no-workflow, and keeps what is already there', async () => {
    const { dir, cleanup } = repo({
      'package.json': '{\r\n\t"name": "app",\r\n\t"pamc": { "prefix": "old_" }\r\n}',
      '.gitattributes': '*.sql linguist-generated',
      'db/schema/phase-3-mine.yaml': 'phase: 3\ntitle: Mine\nfeatures: {}\n',
    });
    try {
      const r = await runPamc(dir, ['init', '--schema', 'db/schema/', '--out', 'db/migrations', '--prefix', 'app_', '--no-workflow']);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('updated the pamc settings in package.json (schema: db/schema, out: db/migrations, prefix: app_, base: origin/main)');
      expect(r.stdout).toContain('left db/schema/ as it was (it has phase files)');
      expect(r.stdout).not.toContain('workflow');
      expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(
        '{\r\n\t"name": "app",\r\n\t"pamc": {\r\n\t\t"prefix": "app_",\r\n\t\t"schema": "db/schema",\r\n\t\t"out": "db/migrations",\r\n\t\t"base": "origin/main"\r\n\t}\r\n}',
      );
      expect(readFileSync(join(dir, '.gitattributes'), 'utf8')).toBe('*.sql linguist-generated\ndb/migrations/pamc.lock merge=union\n');
      expect(snapshot(dir)['.github/workflows/pamc.yml']).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it('exits 2 without a package.json, or with one that is not JSON', async () => {
    const { dir, cleanup } = repo({});
    try {
      const none = await runPamc(dir, ['init']);
      expect(none.status).toBe(2);
      expect(none.stderr).toMatch(/^pamc: no package\.json in .*: run `pamc init` at the root of the app/);
      writeFileSync(join(dir, 'package.json'), '{ "name": ');
      const broken = await runPamc(dir, ['init']);
      expect(broken.status).toBe(2);
      expect(broken.stderr).toMatch(/^pamc: .*JSON/);
      expect(Object.keys(snapshot(dir))).toEqual(['package.json']);
    } finally {
      cleanup();
    }
  });
});

describe('withPamcSettings', () => {
  it('adds the key before the closing brace and leaves every other byte', () => {
    expect(withPamcSettings('{}', { out: 'out' })).toEqual({ text: '{\n  "pamc": {\n    "out": "out"\n  }\n}', change: 'added' });
    const text = '{\n  "name": "x",\n  "files": ["a", "b"]\n}\n';
    const edit = withPamcSettings(text, { schema: 'schema', out: 'out' });
    expect(edit.text).toBe('{\n  "name": "x",\n  "files": ["a", "b"],\n  "pamc": {\n    "schema": "schema",\n    "out": "out"\n  }\n}\n');
    expect(withPamcSettings(edit.text, { schema: 'schema', out: 'out' })).toEqual({ text: edit.text, change: 'none' });
  });

  it('refuses a package.json that is not an object, or whose pamc key is not one', () => {
    expect(() => withPamcSettings('[]', {})).toThrow('package.json does not hold a JSON object');
    expect(() => withPamcSettings('{ "pamc": "yes" }', {})).toThrow('the "pamc" key of package.json is not an object');
  });
});
