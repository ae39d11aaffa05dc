/**
 * `pamc pull`: an existing database's tables as `existing:` declarations.
 * The conversion is pure (catalog rows in, YAML and the list of what it
 * leaves out); the command reads a real PostgreSQL (a scratch database, when
 * PAMC_TEST_DATABASE_URL names a server), and what it writes passes `pamc
 * build` and `pamc check`.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadParser } from '../compiler/sql/parser.js';
import { catalogToPhase } from '../compiler/pull/index.js';
import type { Catalog, CatalogColumn, CatalogConstraint } from '../compiler/pull/catalog.js';
import { run } from '../compiler/cli/run.js';
import { runPamc } from './helpers/project.js';
import { queryOnce, testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const url = testDatabaseUrl();
if (!url) console.info('pull tests against a server skipped: set PAMC_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres) to run them');

function app(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-pull-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "app" }\n');
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const column = (table: string, name: string, type: string, extra: Partial<CatalogColumn> = {}): CatalogColumn => ({
  table,
  name,
  type,
  typeKind: 'b',
  notNull: false,
  default: null,
  identity: '',
  generated: '',
  comment: null,
  ...extra,
});

const constraint = (table: string, name: string, type: string, columns: string[], extra: Partial<CatalogConstraint> = {}): CatalogConstraint => ({
  table,
  name,
  type,
  columns,
  definition: '',
  expression: null,
  refSchema: null,
  refTable: null,
  refColumns: [],
  onDelete: 'a',
  onUpdate: 'a',
  deferrable: false,
  ...extra,
});

const CATALOG: Catalog = {
  schema: 'public',
  tables: [
    { name: 'orders', partitioned: false, partitionOf: null, rls: false, forceRls: false, comment: null },
    { name: 'profiles', partitioned: false, partitionOf: null, rls: true, forceRls: false, comment: 'One per user' },
  ],
  columns: [
    column('orders', 'id', 'bigint', { notNull: true, identity: 'd' }),
    column('orders', 'profile_id', 'uuid', { notNull: true }),
    column('orders', 'status', 'text', { notNull: true, default: "'new'::text" }),
    column('orders', 'total', 'numeric(10,2)', { default: 'now() -- not one expression' }),
    column('orders', 'Note', 'text'),
    column('profiles', 'id', 'uuid', { notNull: true }),
    column('profiles', 'handle', 'text', { comment: 'Shown to others' }),
    column('profiles', 'on', 'boolean', { default: 'true' }),
    column('profiles', 'tags', 'text[]', { default: "'{}'::text[]" }),
  ],
  constraints: [
    constraint('orders', 'orders_pkey', 'p', ['id'], { definition: 'PRIMARY KEY (id)' }),
    constraint('orders', 'orders_profile_id_fkey', 'f', ['profile_id'], {
      definition: 'FOREIGN KEY (profile_id) REFERENCES profiles(id) ON DELETE CASCADE',
      refSchema: 'public',
      refTable: 'profiles',
      refColumns: ['id'],
      onDelete: 'c',
    }),
    constraint('orders', 'orders_status_check', 'c', ['status'], {
      definition: "CHECK ((status = ANY (ARRAY['new'::text, 'paid'::text])))",
      expression: "(status = ANY (ARRAY['new'::text, 'paid'::text]))",
    }),
    constraint('orders', 'orders_check', 'c', ['status', 'total'], {
      definition: "CHECK (((status <> 'paid'::text) OR (total > (0)::numeric)))",
      expression: '...',
    }),
    constraint('profiles', 'profiles_pkey', 'p', ['id'], { definition: 'PRIMARY KEY (id)' }),
    constraint('profiles', 'profiles_id_fkey', 'f', ['id'], { refSchema: 'auth', refTable: 'users', refColumns: ['id'], onDelete: 'c' }),
    constraint('profiles', 'profiles_handle_key', 'u', ['handle'], { definition: 'UNIQUE (handle)' }),
  ],
  policies: [{ table: 'profiles', name: 'Profiles are public', permissive: 'PERMISSIVE', roles: ['public'], command: 'SELECT', using: 'true', check: null }],
  indexes: [{ table: 'orders', name: 'orders_status_idx', definition: 'CREATE INDEX orders_status_idx ON public.orders USING btree (status)' }],
  triggers: [],
  relations: [{ table: 'order_totals', name: 'order_totals', definition: 'view' }],
};

describe('pull: catalog to phase file', () => {
  it('declares what fits a column and lists everything else', async () => {
    const parser = await loadParser();
    const result = catalogToPhase({ catalog: CATALOG, parser, phase: 0, schemaRef: '../s.json', source: 'database app' });
    expect(result.tables).toBe(2);
    expect(result.text).toContain(
      [
        'existing:',
        '  orders:',
        "    # row level security: DISABLED: anyone with the project's anon key can read and write every row",
        '    columns:',
        '      id:         { type: bigint, primary_key: true }',
        '      profile_id: { type: uuid, not_null: true, references: profiles(id), on_delete: cascade }',
        `      status:     { type: text, not_null: true, default: "'new'::text", check: "(status = ANY (ARRAY['new'::text, 'paid'::text]))" }`,
        '      total:      { type: "numeric(10,2)" }',
        '  profiles:',
        '    # comment: One per user',
        '    # row level security: enabled, 1 policy (listed above; pamc does not manage the RLS of existing tables)',
        '    columns:',
        '      id:     { type: uuid, primary_key: true, references: auth.users(id), on_delete: cascade }',
        '      handle: { type: text, unique: true, comment: "Shown to others" }',
        '      on:     { type: boolean, default: "true" }',
        `      tags:   { type: "text[]", default: "'{}'::text[]" }`,
        'features: {}',
        '',
      ].join('\n'),
    );
    expect(result.omitted.map((o) => `${o.table}: ${o.what}`)).toEqual([
      'null: view `order_totals`: not a table',
      'orders: column `id`: GENERATED BY DEFAULT AS IDENTITY',
      'orders: column `total`: default `now() -- not one expression` (a comment is not allowed here)',
      'orders: column `Note` (text): not a name pamc accepts (lower-case letters, digits and _, at most 63 bytes)',
      "orders: check constraint orders_check: CHECK (((status <> 'paid'::text) OR (total > (0)::numeric)))",
      "orders: row level security is DISABLED: anyone with the project's anon key can read and write every row",
      'orders: index orders_status_idx: CREATE INDEX orders_status_idx ON public.orders USING btree (status)',
      'profiles: policy "Profiles are public" FOR SELECT TO public USING (true)',
      'profiles: table comment: One per user',
    ]);
    expect(result.text).toContain('#   - profiles: policy "Profiles are public" FOR SELECT TO public USING (true)\n');
  });

  it('writes a file that builds and checks, and whose tables later features can extend', async () => {
    const { dir, cleanup } = app();
    try {
      const parser = await loadParser();
      const result = catalogToPhase({ catalog: CATALOG, parser, phase: 0, schemaRef: '../s.json', source: 'database app' });
      writeFileSync(join(dir, 'package.json'), '{ "pamc": { "schema": "db" } }\n');
      mkdirSync(join(dir, 'db'));
      writeFileSync(join(dir, 'db/phase-0-existing.yaml'), result.text);
      writeFileSync(
        join(dir, 'db/phase-1-notes.yaml'),
        'phase: 1\ntitle: Notes\nfeatures:\n  order_notes:\n    extend:\n      orders:\n        columns:\n          note: { type: text }\n',
      );
      const build = await runPamc(dir, ['build']);
      expect(build.status).toBe(0);
      expect(build.stderr).toContain('warning[reserved-identifier]: column `on` is a reserved keyword in PostgreSQL');
      expect(build.stdout).toMatch(/^wrote out\/\d{14}_order_notes\.sql\n$/);
      expect((await runPamc(dir, ['check'])).status).toBe(0);
    } finally {
      cleanup();
    }
  });
});

describe('pamc pull, without a database', () => {
  it('exits 2 when no URL is given, naming the three places it looks', async () => {
    const { dir, cleanup } = app();
    try {
      const r = await runPamc(dir, ['pull'], { DATABASE_URL: undefined, PAMC_DATABASE_URL: undefined });
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('pamc: pamc pull needs a database: pass --database-url postgres://..., or set PAMC_DATABASE_URL (or DATABASE_URL)\n');
    } finally {
      cleanup();
    }
  });

  it('never shows the password when it cannot connect', async () => {
    const { dir, cleanup } = app();
    try {
      const r = await runPamc(dir, ['pull'], { PAMC_DATABASE_URL: 'postgres://app:hunter2-secret@127.0.0.1:1/app' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^pamc: cannot connect to postgres:\/\/app:\*\*\*@127\.0\.0\.1:1\/app: /);
      expect(r.stderr).not.toContain('hunter2');
      expect(existsSync(join(dir, 'schema'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});

/** A Supabase-like database: auth.users and auth.uid(), Supabase's user-management and slack-clone shapes, and what pamc cannot declare. */
const FIXTURE = `
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$ SELECT NULL::uuid $$;
CREATE TYPE user_status AS ENUM ('ONLINE', 'OFFLINE');
CREATE TABLE profiles (
  id uuid REFERENCES auth.users ON DELETE CASCADE NOT NULL PRIMARY KEY,
  updated_at timestamp with time zone,
  username text UNIQUE,
  website varchar(200),
  status user_status DEFAULT 'OFFLINE'::user_status,
  CONSTRAINT username_length CHECK (char_length(username) >= 3)
);
COMMENT ON COLUMN profiles.username IS 'Shown to other users';
ALTER TABLE profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY "Public profiles are viewable by everyone." ON profiles FOR SELECT USING (true);
CREATE POLICY "Users can update own profile." ON profiles FOR UPDATE USING ((SELECT auth.uid()) = id);
CREATE TABLE channels (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  inserted_at timestamptz DEFAULT timezone('utc'::text, now()) NOT NULL,
  slug text NOT NULL UNIQUE,
  created_by uuid REFERENCES profiles NOT NULL
);
CREATE TABLE messages (
  id bigserial PRIMARY KEY,
  message text,
  channel_id bigint REFERENCES channels ON DELETE CASCADE NOT NULL,
  price numeric(10,2) NOT NULL DEFAULT 0 CHECK (price >= 0),
  tags text[] DEFAULT '{}'
);
CREATE INDEX messages_channel_idx ON messages (channel_id);
CREATE TABLE "Legacy" (id int);
CREATE VIEW channel_slugs AS SELECT slug FROM channels;
`;

describe.skipIf(!url)('pamc pull against a real PostgreSQL', () => {
  it('writes existing: declarations that build, lists what it left out, and refuses to overwrite without --force', { timeout: 60_000 }, async () => {
    await withScratchDatabase(async (db) => {
      await queryOnce(db, FIXTURE);
      const { dir, cleanup } = app();
      try {
        const r = await runPamc(dir, ['pull', '--database-url', db], { DATABASE_URL: undefined, PAMC_DATABASE_URL: undefined });
        expect(r.status).toBe(0);
        expect(r.stdout).toBe('wrote schema/phase-0-existing.yaml (3 tables of schema public, declared existing:)\n');
        expect(r.stderr).toContain('pamc pull: 9 things are not declared (also listed at the top of the file):\n');
        for (const line of [
          '  - view `channel_slugs`: not a table',
          '  - Legacy: not declared: not a name pamc accepts',
          '  - channels: column `id`: GENERATED BY DEFAULT AS IDENTITY',
          "  - channels: row level security is DISABLED: anyone with the project's anon key can read and write every row",
          "  - messages: row level security is DISABLED: anyone with the project's anon key can read and write every row",
          '  - messages: index messages_channel_idx: CREATE INDEX messages_channel_idx ON public.messages USING btree (channel_id)',
          '  - profiles: column `status`: its type `user_status` is an enum, which pamc does not declare',
          '  - profiles: policy "Public profiles are viewable by everyone." FOR SELECT TO public USING (true)',
          '  - profiles: policy "Users can update own profile." FOR UPDATE TO public USING ((( SELECT auth.uid() AS uid) = id))',
        ])
          expect(r.stderr).toContain(line);
        const text = readFileSync(join(dir, 'schema/phase-0-existing.yaml'), 'utf8');
        expect(text.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\.\.\/.*compiler\/validate\/pamc\.schema\.json$/);
        expect(text).toContain('# The tables of schema public in database pamc_test_');
        for (const line of [
          '      id:         { type: uuid, primary_key: true, references: auth.users(id), on_delete: cascade }',
          '      updated_at: { type: "timestamp with time zone" }',
          '      username:   { type: text, unique: true, check: "(char_length(username) >= 3)", comment: "Shown to other users" }',
          '      website:    { type: "character varying(200)" }',
          `      status:     { type: user_status, default: "'OFFLINE'::user_status" }`,
          '      created_by:  { type: uuid, not_null: true, references: profiles(id) }',
          `      id:         { type: bigint, primary_key: true, default: "nextval('messages_id_seq'::regclass)" }`,
          '      channel_id: { type: bigint, not_null: true, references: channels(id), on_delete: cascade }',
          '      price:      { type: "numeric(10,2)", not_null: true, default: "0", check: "(price >= (0)::numeric)" }',
        ])
          expect(text).toContain(`${line}\n`);

        expect((await runPamc(dir, ['build'])).status).toBe(0);
        const check = await runPamc(dir, ['check']);
        expect(check.stderr).toBe('');
        expect(check.status).toBe(0);
        expect((await runPamc(dir, ['types'])).stdout).toContain('      channels: {');

        const again = await runPamc(dir, ['pull'], { DATABASE_URL: db });
        expect(again.status).toBe(2);
        expect(again.stderr).toBe('pamc: schema/phase-0-existing.yaml exists; pass --force to overwrite it, or --out-file to write another file\n');
        // On a terminal, the long steps say what they do.
        let stderr = '';
        const forced = await run(['pull', '--force', '--out-file', 'schema/phase-0-existing.yaml'], {
          cwd: dir,
          env: { PAMC_DATABASE_URL: db, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/x' },
          stdout: { write: () => undefined, isTTY: true },
          stderr: { write: (t) => void (stderr += t), isTTY: true },
        });
        expect(forced).toBe(0);
        expect(stderr).toContain(`pamc pull: connecting to ${db}…\npamc pull: reading the tables of schema public…\n`);
        expect(readFileSync(join(dir, 'schema/phase-0-existing.yaml'), 'utf8')).toBe(text);
      } finally {
        cleanup();
      }
    });
  });
});
