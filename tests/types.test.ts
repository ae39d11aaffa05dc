/**
 * `pamc types`: TypeScript types of the spec in the shape `supabase gen
 * types typescript` prints. The bundled spec's types are a golden file
 * (tests/golden/types/pam.ts; UPDATE_GOLDEN=1 rewrites it, and `tsc -p
 * tests/tsconfig.json` type-checks it). A client program using
 * createClient<Database> from the real @supabase/supabase-js is
 * type-checked in tests/package.test.ts, in an app that installed pamc.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import ts from 'typescript';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tsType } from '../compiler/typegen/index.js';
import { fixtureProject, ROOT, runPamc } from './helpers/project.js';

const GOLDEN = join(ROOT, 'tests/golden/types/pam.ts');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

/** A temporary project: package.json and the given files. */
function project(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-types-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "app" }\n');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const SPEC = `phase: 0
title: Existing
existing:
  profiles:
    columns:
      id: { type: uuid, primary_key: true, references: auth.users(id) }
      handle: { type: text, not_null: true, unique: true }
  billing.accounts:
    columns:
      id: { type: uuid, primary_key: true }
features: {}
`;

const FEATURES = `phase: 1
title: Teams
features:
  teams:
    tables:
      teams:
        columns:
          id: { type: bigserial, primary_key: true }
          owner_id: { type: uuid, not_null: true, references: profiles(id), on_delete: cascade }
          name: { type: "character varying(80)", not_null: true }
          tags: { type: "text[]", default: "'{}'" }
          settings: { type: jsonb, not_null: true, default: "'{}'" }
          score: { type: double precision }
          active: { type: boolean, not_null: true, default: true }
          location: { type: point }
          account_id: { type: uuid, references: billing.accounts(id) }
        rls: { owner: owner_id, allow: [select] }
      team_settings:
        columns:
          team_id: { type: bigint, primary_key: true, references: teams(id) }
          theme: { type: text }
        rls: { disabled: true, reason: Read by the server only. }
  team_notes:
    extend:
      teams:
        columns:
          note: { type: text }
`;

describe('pamc types', () => {
  it('writes the bundled spec as the golden file says', async () => {
    const r = await runPamc(ROOT, ['types']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    if (UPDATE) writeFileSync(GOLDEN, r.stdout);
    if (!existsSync(GOLDEN)) throw new Error(`${GOLDEN} is missing; run with UPDATE_GOLDEN=1 to write it, then review it`);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
    expect(r.stdout).not.toContain('pam_test_data');
  });

  it('includes the staging-only tables with --env staging, and writes --out', async () => {
    const { dir, cleanup } = project({});
    try {
      const r = await runPamc(ROOT, ['types', '--env', 'staging', '--out', join(dir, 'src/database.types.ts')]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^wrote .*database\.types\.ts\n$/);
      const text = readFileSync(join(dir, 'src/database.types.ts'), 'utf8');
      expect(text).toContain('      pam_test_data: {');
      expect(text).toContain('(staging)');
    } finally {
      cleanup();
    }
  });

  it('maps PostgreSQL types as Supabase does', () => {
    const cases: Array<[string, string]> = [
      ['uuid', 'string'],
      ['text', 'string'],
      ['varchar({"A_Const":{}})', 'string'],
      ['timestamptz', 'string'],
      ['date', 'string'],
      ['interval', 'string'],
      ['int2', 'number'],
      ['int8', 'number'],
      ['float8', 'number'],
      ['numeric', 'number'],
      ['bigserial', 'number'],
      ['bool', 'boolean'],
      ['json', 'Json'],
      ['jsonb', 'Json'],
      ['text[]', 'string[]'],
      ['int4[][]', 'number[]'],
      ['point', 'unknown'],
      ['extensions.citext', 'string'],
      ['mood', 'unknown'],
    ];
    for (const [pg, ts] of cases) expect(`${pg} → ${tsType(pg)}`).toBe(`${pg} → ${ts}`);
  });

  it('types existing tables of public, extensions, defaults, nullability and relationships; not auth.users or other schemas', async () => {
    const { dir, cleanup } = project({ 'schema/phase-0-existing.yaml': SPEC, 'schema/phase-1-teams.yaml': FEATURES });
    try {
      const r = await runPamc(dir, ['types']);
      expect(r.stderr).toBe('');
      const text = r.stdout;
      expect(text).toContain('      profiles: {\n        Row: {\n          handle: string\n          id: string\n        }');
      expect(text).not.toMatch(/^ {6}(users|accounts): \{/m);
      const teams = text.slice(text.indexOf('      teams: {'));
      expect(teams).toContain(
        [
          '        Insert: {',
          '          account_id?: string | null',
          '          active?: boolean',
          '          id?: number',
          '          location?: unknown',
          '          name: string',
          '          note?: string | null',
          '          owner_id: string',
          '          score?: number | null',
          '          settings?: Json',
          '          tags?: string[] | null',
          '        }',
        ].join('\n'),
      );
      expect(teams).toContain('          location: unknown\n');
      expect(teams).toContain(
        [
          '        Relationships: [',
          '          {',
          '            foreignKeyName: "teams_owner_id_fkey"',
          '            columns: ["owner_id"]',
          '            isOneToOne: false',
          '            referencedRelation: "profiles"',
          '            referencedColumns: ["id"]',
          '          },',
          '        ]',
        ].join('\n'),
      );
      expect(text).toContain('            foreignKeyName: "team_settings_team_id_fkey"\n            columns: ["team_id"]\n            isOneToOne: true\n');
      expect(text.indexOf('      team_settings: {')).toBeLessThan(text.indexOf('      teams: {'));
    } finally {
      cleanup();
    }
  });

  it('types enums as Supabase does, with the values later features add, and identity columns as optional in Insert; a program type-checks against them', async () => {
    const { dir, cleanup } = fixtureProject('tests/fixtures/objects/schema');
    try {
      const r = await runPamc(dir, ['types', '--out', 'database.types.ts']);
      expect(r.status, r.stderr).toBe(0);
      const text = readFileSync(join(dir, 'database.types.ts'), 'utf8');
      expect(text).toContain('    Enums: {\n      trip_status: "planned" | "active" | "done" | "cancelled"\n    }');
      expect(text).toContain('          status: Database["public"]["Enums"]["trip_status"]\n');
      expect(text).toContain('    Enums: {\n      trip_status: ["planned", "active", "done", "cancelled"],\n    },');
      // Identity columns may be left out of an insert, as Supabase types them.
      const rigs = text.slice(text.indexOf('      rigs: {'));
      expect(rigs.slice(rigs.indexOf('Insert: {'), rigs.indexOf('Update: {'))).toContain('          id?: number\n');
      const program = (value: string): string =>
        `import { Constants, type Database, type Enums } from './database.types';\n` +
        `const row: Pick<Database['public']['Tables']['trips']['Insert'], 'status'> = { status: ${value} };\n` +
        `const all: readonly Enums<'trip_status'>[] = Constants.public.Enums.trip_status;\nexport { row, all };\n`;
      const diagnostics = (value: string): string[] => {
        writeFileSync(join(dir, 'use.ts'), program(value));
        const files = [join(dir, 'use.ts')];
        const compiled = ts.createProgram(files, {
          strict: true,
          noEmit: true,
          module: ts.ModuleKind.ESNext,
          target: ts.ScriptTarget.ES2022,
          moduleResolution: ts.ModuleResolutionKind.Bundler,
        });
        return ts.getPreEmitDiagnostics(compiled).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      };
      expect(diagnostics("'cancelled'")).toEqual([]);
      expect(diagnostics("'lost'").join('\n')).toContain('"lost"');
    } finally {
      cleanup();
    }
  }, 60_000);

  it('refuses a spec with errors and writes nothing', async () => {
    const { dir, cleanup } = project({
      'schema/phase-1.yaml': 'phase: 1\ntitle: Broken\nfeatures:\n  x:\n    tables:\n      x:\n        columns: { id: uuid }\n',
    });
    try {
      const r = await runPamc(dir, ['types', '--out', 'types.ts']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('missing-rls');
      expect(r.stderr).toContain('pamc types: the spec has errors; nothing was written');
      expect(existsSync(join(dir, 'types.ts'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
