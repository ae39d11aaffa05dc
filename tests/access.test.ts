/**
 * Every kind of access rule, end to end through the command line: a spec with
 * owner, public, signed_in (with `where`), parent (a chain of parents),
 * members (with roles, and on the membership table itself), policies,
 * service_only and a waived table is built, then `pamc verify` proves it on
 * the embedded PostgreSQL and on the real server of PAMC_TEST_DATABASE_URL.
 *
 * On the real server, with the Supabase stand-in's default privileges (every
 * new table in `public` granted to anon and authenticated), the migrations
 * are applied for good in a scratch database and two attacks are tried as
 * the API roles: the anon key reading a waived table, and a user attaching a
 * row to another user's parent through a foreign key. Each is reproduced
 * where pamc's rules do not stand in the way, and shown refused where they do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { STANDIN_SQL } from '../compiler/verify/standin.js';
import { copyProject, fixtureProject, ROOT, runPamc } from './helpers/project.js';
import { testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const FIXTURE = join(ROOT, 'tests/fixtures/access');
const SCHEMA = 'tests/fixtures/access/schema';
const url = testDatabaseUrl();
if (!url) console.info('access tests on the real server skipped: set PAMC_TEST_DATABASE_URL to run them');

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';

let project = '';
beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'pamc-access-'));
  cpSync(join(FIXTURE, 'schema'), join(project, 'schema'), { recursive: true });
  const built = await runPamc(project, ['build']);
  expect(built.status, built.stderr).toBe(0);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

/** The migrations of a project's output directory, in version order. */
function migrations(dir: string): string[] {
  const out = join(dir, 'out');
  return readdirSync(out)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => readFileSync(join(out, f), 'utf8'));
}

interface Verified {
  summary: { failures: number; drift: number; exposures: number; probes: number };
  probed: { kinds: Record<string, number>; unprobed: string[] };
}

async function verifyJson(args: string[]): Promise<Verified> {
  const r = await runPamc(project, ['verify', '--format', 'json', ...args]);
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Verified;
}

function expectEveryKindProved(report: Verified): void {
  expect(report.summary).toMatchObject({ failures: 0, drift: 0, exposures: 0 });
  expect(Object.keys(report.probed.kinds).sort()).toEqual(['members', 'owner', 'parent', 'public', 'service_only', 'signed_in', 'waived']);
  expect(report.probed.unprobed).toEqual(['audit_log']);
}

describe('every access rule kind', () => {
  it('emits named permissive policies per rule, a restrictive one per parent rule, and exact grants', () => {
    const sql = migrations(project).join('\n');
    expect(sql).toContain('CREATE POLICY "Anyone can read products" ON public.products AS PERMISSIVE FOR SELECT TO anon, authenticated USING (true);');
    expect(sql).toContain(
      'CREATE POLICY "Signed-in users can read announcements" ON public.announcements AS PERMISSIVE FOR SELECT TO authenticated USING (published);',
    );
    expect(sql).toContain(
      'AS RESTRICTIVE FOR ALL TO anon, authenticated USING (true) WITH CHECK (session_id IS NULL OR private.owns_chat_sessions(session_id));',
    );
    expect(sql).toMatch(/CREATE POLICY "Members \(owner, admin\) can update team members" ON public\.team_members AS PERMISSIVE FOR UPDATE TO authenticated/);
    expect(sql).toMatch(/SECURITY DEFINER\nSET search_path = ''/);
    expect(sql).toContain('REVOKE ALL ON TABLE public.secrets FROM anon, authenticated;');
    expect(sql).toContain('REVOKE ALL ON TABLE public.customers FROM anon, authenticated;');
    expect(sql).not.toMatch(/GRANT [A-Z, ]+ ON TABLE public\.customers TO (anon|authenticated)/);
    expect(sql).toContain('GRANT SELECT ON TABLE public.products TO anon;');
  });

  it('verify proves every kind on the embedded PostgreSQL, and says which kinds it probed', async () => {
    const text = await runPamc(project, ['verify', '--embedded']);
    expect(text.status, text.stdout + text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^verify: 13 tables, \d+ probes, 0 failures, 0 drift, 0 exposures/m);
    const probed = text.stdout.split('\n').find((l) => l.startsWith('probed: '))!;
    for (const kind of ['owner', 'public', 'signed_in', 'parent', 'members', 'service_only', 'waived'])
      expect(probed).toMatch(new RegExp(`\\b${kind} \\(\\d+ tables?\\)`));
    expect(text.stdout).toContain('audit_log: its policies are written out in the spec; not probed');
  }, 60_000);

  it.skipIf(!url)(
    'verify proves every kind on the real PostgreSQL',
    async () => {
      await withScratchDatabase(async (db) => expectEveryKindProved(await verifyJson(['--database-url', db])));
    },
    60_000,
  );
});

/** A client of the scratch database that acts as an API role, as PostgREST does. */
async function client(db: string): Promise<pg.Client & { as: (role: 'anon' | 'authenticated', user?: string) => Promise<void> }> {
  const c = new pg.Client({ connectionString: db }) as pg.Client & { as: (role: 'anon' | 'authenticated', user?: string) => Promise<void> };
  await c.connect();
  c.as = async (role, user) => {
    await c.query('RESET ROLE');
    await c.query(`SELECT set_config('request.jwt.claim.sub', $1, false)`, [user ?? '']);
    await c.query(`SET ROLE ${role}`);
  };
  return c;
}

/** Installs the stand-in and applies the migrations for good, then adds users A and B. */
async function applyAll(db: string, files: readonly string[]): Promise<void> {
  const c = new pg.Client({ connectionString: db });
  await c.connect();
  try {
    await c.query(STANDIN_SQL);
    for (const sql of files) await c.query(sql);
    await c.query('INSERT INTO auth.users (id) VALUES ($1), ($2) ON CONFLICT DO NOTHING', [A, B]);
  } finally {
    await c.end();
  }
}

/** A chat message of user A's, in a session of A's, inserted as A; its id. The client stays A. */
async function messageOfA(c: Awaited<ReturnType<typeof client>>): Promise<string> {
  await c.as('authenticated', A);
  const session = (await c.query(`INSERT INTO public.chat_sessions (user_id) VALUES ($1) RETURNING id`, [A])).rows[0].id as string;
  return (await c.query(`INSERT INTO public.chat_messages (session_id, body) VALUES ($1, 'hi') RETURNING id`, [session])).rows[0].id as string;
}

/** The SQLSTATE of a statement that fails, or 'ok'. */
async function outcome(c: pg.Client, sql: string, params: unknown[] = []): Promise<string> {
  try {
    await c.query(sql, params);
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe.skipIf(!url)('attacks on the real PostgreSQL, with Supabase default privileges', () => {
  it('the anon key reads a table made without pamc, and reaches nothing of a waived or service-only table', async () => {
    await withScratchDatabase(async (db) => {
      await applyAll(db, migrations(project));
      const c = await client(db);
      try {
        // Reproduced: Supabase's default privileges open every new table in public to the anon key.
        await c.query(`CREATE TABLE public.handmade (id int PRIMARY KEY, secret text); INSERT INTO public.handmade VALUES (1, 'leaked')`);
        await c.query(`INSERT INTO public.secrets (id, value) VALUES (gen_random_uuid(), 'kept'); INSERT INTO public.customers (id) VALUES ('${A}')`);
        await c.as('anon');
        expect((await c.query('SELECT secret FROM public.handmade')).rows).toEqual([{ secret: 'leaked' }]);
        // Refused: pamc revoked what the defaults granted.
        for (const table of ['secrets', 'customers']) {
          expect(await outcome(c, `SELECT * FROM public.${table}`), table).toBe('42501');
          expect(await outcome(c, `INSERT INTO public.${table} (id) VALUES (gen_random_uuid())`), table).toBe('42501');
          expect(await outcome(c, `UPDATE public.${table} SET id = id`), table).toBe('42501');
        }
        await c.as('authenticated', A);
        for (const table of ['secrets', 'customers']) expect(await outcome(c, `SELECT * FROM public.${table}`), table).toBe('42501');
      } finally {
        await c.end();
      }
    });
  });

  it("a foreign key lets user B attach a row to user A's message where no parent rule checks it, and not where one does", async () => {
    await withScratchDatabase(async (db) => {
      await applyAll(db, migrations(project));
      const c = await client(db);
      try {
        const message = await messageOfA(c);
        await c.as('authenticated', B);
        // Reproduced: bookmarks has an owner rule only, and PostgreSQL checks the foreign key without row level security.
        expect(await outcome(c, `INSERT INTO public.bookmarks (user_id, message_id) VALUES ($1, $2)`, [B, message])).toBe('ok');
        // Refused: feedback's parent rule checks every row written is under a message its writer owns.
        expect(await outcome(c, `INSERT INTO public.feedback (user_id, message_id, rating) VALUES ($1, $2, 5)`, [B, message])).toBe('42501');
        expect(await outcome(c, `INSERT INTO public.reactions (message_id, emoji) VALUES ($1, 'x')`, [message])).toBe('42501');
        // B's own feedback, without a message, is B's to write.
        expect(await outcome(c, `INSERT INTO public.feedback (user_id, rating) VALUES ($1, 4)`, [B])).toBe('ok');
      } finally {
        await c.end();
      }
    });
  });

  it('a later feature closes the hole on the shipped table: `parent:` without `allow:` adds only the restrictive check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pamc-access-guard-'));
    try {
      cpSync(project, dir, { recursive: true });
      writeFileSync(
        join(dir, 'schema/phase-3-guard.yaml'),
        [
          'phase: 3',
          'title: Guard',
          'features:',
          '  bookmark_guard:',
          '    extend:',
          '      bookmarks:',
          '        rls:',
          '          parent: { column: message_id }',
          '',
        ].join('\n'),
      );
      const built = await runPamc(dir, ['build', '--now', '2026-02-01T00:00:00Z']);
      expect(built.status, built.stderr).toBe(0);
      expect(built.stderr).not.toContain('[unchecked-reference]');
      await withScratchDatabase(async (db) => {
        await applyAll(db, migrations(dir));
        const c = await client(db);
        try {
          const message = await messageOfA(c);
          expect(await outcome(c, `INSERT INTO public.bookmarks (user_id, message_id) VALUES ($1, $2)`, [A, message])).toBe('ok');
          await c.as('authenticated', B);
          expect(await outcome(c, `INSERT INTO public.bookmarks (user_id, message_id) VALUES ($1, $2)`, [B, message])).toBe('42501');
          // The rule allows the parent's owner nothing more: A still does not see B's bookmarks.
        } finally {
          await c.end();
        }
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('`grants: exact` tightens a table shipped before exact grants: the anon key loses what the defaults gave it', async () => {
    const { dir, cleanup } = copyProject();
    try {
      const before = migrations(dir);
      writeFileSync(
        join(dir, 'schema/phase-9-exact.yaml'),
        ['phase: 9', 'title: Exact grants', 'features:', '  exact_trip_grants:', '    extend:', '      trips:', '        grants: exact', ''].join('\n'),
      );
      const built = await runPamc(dir, ['build', '--now', '2026-12-01T00:00:00Z']);
      expect(built.status, built.stderr).toBe(0);
      const privileges = async (db: string): Promise<string[]> => {
        const c = new pg.Client({ connectionString: db });
        await c.connect();
        try {
          const r = await c.query(
            `SELECT grantee || ' ' || privilege_type AS p FROM information_schema.role_table_grants WHERE table_name = 'trips' AND grantee IN ('anon', 'authenticated') ORDER BY 1`,
          );
          return r.rows.map((x: { p: string }) => x.p);
        } finally {
          await c.end();
        }
      };
      await withScratchDatabase(async (db) => {
        await applyAll(db, before);
        expect(await privileges(db)).toContain('anon DELETE');
      });
      await withScratchDatabase(async (db) => {
        await applyAll(db, migrations(dir));
        expect(await privileges(db)).toEqual(['authenticated INSERT', 'authenticated SELECT']);
      });
    } finally {
      cleanup();
    }
  });
});

describe('what PostgreSQL would refuse, or what would let nobody in, is refused at build', () => {
  async function buildSpec(yaml: string): Promise<{ status: number; stderr: string }> {
    const existing = 'existing:\n  legacy_notes:\n    columns:\n      id: { type: uuid }\n';
    const { dir, cleanup } = fixtureProject(SCHEMA, { 'phase-3-bad.yaml': `phase: 3\ntitle: Bad\n${existing}features:\n${yaml}` });
    try {
      return await runPamc(dir, ['build']);
    } finally {
      cleanup();
    }
  }

  it('a policy for insert with `using`, for select with `with_check`', async () => {
    const r = await buildSpec(
      [
        '  notes:',
        '    tables:',
        '      notes:',
        '        columns:',
        '          id: { type: uuid, primary_key: true }',
        '        rls:',
        '          policies:',
        '            - { name: add, for: insert, using: "true" }',
        '            - { name: see, for: select, with_check: "true" }',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('error[invalid-value]: a `for: insert` policy has no `using`: new rows are judged by `with_check` only');
    expect(r.stderr).toContain('error[invalid-value]: a `for: select` policy has no `with_check`: it writes no rows');
  });

  it('a role the role column never holds, `grants: exact` on a table pamc does not manage, a policy name PostgreSQL would cut', async () => {
    const r = await buildSpec(
      [
        '  bad_access:',
        '    extend:',
        '      projects:',
        '        rls:',
        '          members: { group: team_id, through: team_members, roles: [admn], allow: [delete] }',
        '          reason: Admins tidy up.',
        '      legacy_notes:',
        '        grants: exact',
        '  long_table:',
        '    tables:',
        '      expedition_checkpoint_photos:',
        '        columns:',
        '          id:      { type: uuid, primary_key: true }',
        '          user_id: { type: uuid, not_null: true, references: auth.users(id) }',
        '          team_id: { type: uuid, references: teams(id) }',
        '        rls: { owner: user_id, allow: [select] }',
        '  long_access:',
        '    extend:',
        '      expedition_checkpoint_photos:',
        '        rls:',
        '          members: { group: team_id, through: team_members, roles: [owner, admin, member], allow: [update] }',
        '',
      ].join('\n'),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      'error[unknown-reference]: role `admn` is not one of the values `team_members.role` takes (`owner`, `admin`, `member`): the rule would let nobody in',
    );
    expect(r.stderr).toContain('did you mean `admin`?');
    expect(r.stderr).toContain('error[conflicting-rule]: `legacy_notes` is not managed by pamc, so `grants: exact` cannot say what its rules allow');
    expect(r.stderr).toContain(
      'error[identifier-too-long]: the policy name `Members (owner, admin, member) can update expedition checkpoint photos` would be 70 bytes',
    );
  });
});

describe('tables whose columns may all be NULL', () => {
  it('verify names its probe rows by a unique column, else by the first it can compare', async () => {
    const { dir, cleanup } = fixtureProject(SCHEMA);
    try {
      const phase = [
        'phase: 3',
        'title: Loose tables',
        'features:',
        '  loose:',
        '    tables:',
        '      loose_items:',
        '        columns:',
        '          size: { type: int2, in: [3, 2] }',
        '          kind: { type: uuid, unique: true }',
        '          blob: { type: bytea, unique: true }',
        '        rls: { disabled: true, reason: Read only through a server function. }',
        '      loose_notes:',
        '        columns:',
        '          body: { type: text }',
        '          shape: { type: json }',
        '        rls: { public: [select, insert] }',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'schema', 'phase-3-loose.yaml'), phase);
      const built = await runPamc(dir, ['build']);
      expect(built.status, built.stderr).toBe(0);
      const r = await runPamc(dir, ['verify', '--embedded', '--format', 'json']);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const report = JSON.parse(r.stdout) as { summary: { failures: number }; probes: Array<{ table: string; pass: boolean }> };
      expect(report.summary.failures).toBe(0);
      expect(report.probes.filter((p) => p.table.startsWith('loose_')).length).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  }, 90_000);
});

describe('a referenced table with one row per user (a unique owner)', () => {
  it('verify makes that row once per user and gives every child the same parent', async () => {
    const { dir, cleanup } = fixtureProject(SCHEMA);
    try {
      const phase = [
        'phase: 3',
        'title: Settings',
        'features:',
        '  settings:',
        '    tables:',
        '      user_settings:',
        '        columns:',
        '          id:      { type: uuid, primary_key: true, default: gen_random_uuid() }',
        '          user_id: { type: uuid, not_null: true, unique: true, references: auth.users(id) }',
        '        rls: { owner: user_id, allow: [select, insert] }',
        '      setting_changes:',
        '        columns:',
        '          id:          { type: uuid, primary_key: true, default: gen_random_uuid() }',
        '          user_id:     { type: uuid, not_null: true, references: auth.users(id) }',
        '          settings_id: { type: uuid, not_null: true, references: user_settings(id) }',
        '        rls: { owner: user_id, allow: [select, insert] }',
        '        acknowledge: { unchecked-reference: Probe rows only. }',
        '',
      ].join('\n');
      writeFileSync(join(dir, 'schema', 'phase-3-settings.yaml'), phase);
      const built = await runPamc(dir, ['build']);
      expect(built.status, built.stderr).toBe(0);
      const r = await runPamc(dir, ['verify', '--embedded', '--format', 'json']);
      const report = JSON.parse(r.stdout) as { summary: { failures: number }; probes: Array<{ table: string; pass: boolean; detail?: string }> };
      expect(report.probes.filter((p) => !p.pass).map((p) => `${p.table}: ${p.detail}`)).toEqual([]);
      expect(r.status).toBe(0);
      expect(report.probes.filter((p) => p.table === 'setting_changes').length).toBeGreaterThan(0);
    } finally {
      cleanup();
    }
  }, 90_000);
});
