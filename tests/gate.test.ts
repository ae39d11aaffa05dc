/**
 * The CI gate against a hostile pull request. Each case is a real git
 * repository whose base (`main`) holds the bundled project as shipped, and a
 * branch that tries to get a destructive or dangerous change past
 * `pamc check --base main`; the command line is run as CI runs it.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256, type LockEntry } from '../compiler/lock/index.js';
import { commitAll, projectRepo } from './helpers/git.js';
import { readLockEntries, ROOT, runPamc, writeLockEntries } from './helpers/project.js';
import { testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const PHASE_4 = 'schema/phase-4-passive-trip-logger.yaml';
const PHASE_2 = 'schema/phase-2-conversational-engine.yaml';

/** A new phase whose feature adds a `note` column of `type` to the shipped `trips`. */
function addNote(dir: string, type = 'text'): void {
  writeFileSync(
    join(dir, 'schema', 'phase-8-notes.yaml'),
    `phase: 8\ntitle: Notes\nfeatures:\n  trip_notes:\n    extend:\n      trips:\n        columns:\n          note: { type: ${type} }\n`,
  );
}

function edit(dir: string, path: string, from: string | RegExp, to: string): void {
  const file = join(dir, path);
  const text = readFileSync(file, 'utf8');
  const next = text.replace(from, to);
  if (next === text) throw new Error(`${path} does not contain ${String(from)}`);
  writeFileSync(file, next);
}

function setPamc(dir: string, settings: Record<string, string>): void {
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { pamc: Record<string, string> };
  pkg.pamc = { ...pkg.pamc, ...settings };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
}

/** Edits a shipped feature's snapshot in the lock as a branch that wants the lock to agree with its spec would. */
function editLock(dir: string, outDir: string, change: (entries: LockEntry[]) => void): void {
  const path = join(dir, outDir, 'pamc.lock');
  const entries = readLockEntries(path);
  change(entries);
  writeLockEntries(path, entries);
}

/** Drops `trips.stops`, narrows `allow` of pam_messages, waives RLS on safety_events: in the spec and in the lock. */
function destructive(dir: string, outDir = 'out'): void {
  edit(dir, PHASE_4, '          stops:      { type: jsonb }\n', '');
  edit(dir, PHASE_2, 'allow: [select, insert]', 'allow: [select]');
  edit(dir, 'schema/phase-6-safety-layer.yaml', /rls:\n[\s\S]*$/, 'rls: { disabled: true, reason: "faster" }\n');
  editLock(dir, outDir, (entries) => {
    const trips = entries.find((e) => e.feature === 'trips')!.spec as { tables: Record<string, { columns: Record<string, unknown> }> };
    delete trips.tables.trips!.columns.stops;
  });
}

async function check(dir: string, ...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return runPamc(dir, ['check', '--base', 'main', ...args]);
}

describe('the base judges the pull request by its own settings', () => {
  for (const out of ['out/.', 'out/../out', 'ABSOLUTE']) {
    it(`refuses destructive changes whatever the branch writes as "out" (${out})`, async () => {
      const p = projectRepo();
      try {
        destructive(p.dir);
        setPamc(p.dir, { out: out === 'ABSOLUTE' ? join(p.dir, 'out') : out });
        commitAll(p.dir, 'bypass');
        const r = await check(p.dir);
        expect(r.status, r.stderr).toBe(1);
        for (const rule of ['drop-column', 'narrow-allow', 'disable-rls']) expect(r.stderr).toContain(`error[${rule}]`);
        expect(r.stderr).not.toContain('error[moved-output]');
      } finally {
        p.cleanup();
      }
    });
  }

  it('refuses a branch that moves out/ and points the setting at the new place, and still judges what it changed', async () => {
    const p = projectRepo();
    try {
      destructive(p.dir);
      renameSync(join(p.dir, 'out'), join(p.dir, 'migrations'));
      setPamc(p.dir, { out: 'migrations' });
      commitAll(p.dir, 'move');
      const r = await check(p.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[moved-output]: the output directory is `migrations`, but main keeps its migrations in `out`');
      for (const rule of ['drop-column', 'narrow-allow', 'disable-rls']) expect(r.stderr).toContain(`error[${rule}]`);
    } finally {
      p.cleanup();
    }
  });

  it('reports a changed policy-name prefix as a warning on package.json', async () => {
    const p = projectRepo();
    try {
      setPamc(p.dir, { prefix: 'app_' });
      commitAll(p.dir, 'prefix');
      const r = await check(p.dir, '--format', 'json');
      const found = (JSON.parse(r.stdout) as { diagnostics: Array<{ rule: string; file: string }> }).diagnostics.filter((d) => d.rule === 'settings-changed');
      expect(found).toEqual([expect.objectContaining({ rule: 'settings-changed', file: 'package.json' })]);
    } finally {
      p.cleanup();
    }
  });
});

describe('every migration new relative to the base is what build emits', () => {
  it('catches a new migration whose body was replaced, its hash recomputed with pamc’s own functions', async () => {
    const p = projectRepo();
    try {
      addNote(p.dir);
      expect((await runPamc(p.dir, ['build'])).status).toBe(0);
      const lockPath = join(p.dir, 'out', 'pamc.lock');
      const entries = readLockEntries(lockPath);
      const entry = entries.find((e) => e.feature === 'trip_notes')!;
      const file = readFileSync(join(p.dir, 'out', entry.file), 'utf8');
      const header = file.slice(0, file.indexOf('\n\n') + 2);
      const evil = `${header}DELETE FROM public.trips;\nCREATE VIEW public.all_trips AS SELECT * FROM public.trips;\nGRANT SELECT ON public.all_trips TO anon;\n`;
      for (const path of [entry.file, `staging/${entry.file}`]) writeFileSync(join(p.dir, 'out', path), evil);
      entry.sha256 = sha256(evil);
      writeLockEntries(lockPath, entries);
      commitAll(p.dir, 'notes');
      expect((await runPamc(p.dir, ['check'])).status).toBe(0); // the lock agrees with itself
      const r = await check(p.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error[modified-migration]: out/${entry.file} is not what \`pamc build\` writes for feature \`trip_notes\``);
      expect(r.stderr).toContain(`error[lock-integrity]: the lock entry of ${entry.file} is not what \`pamc build\` records for the spec`);
    } finally {
      p.cleanup();
    }
  });

  it('passes the same branch as build wrote it', async () => {
    const p = projectRepo();
    try {
      addNote(p.dir);
      expect((await runPamc(p.dir, ['build'])).status).toBe(0);
      commitAll(p.dir, 'notes');
      const r = await check(p.dir);
      expect(r.stderr).not.toContain('error[');
      expect(r.status).toBe(0);
    } finally {
      p.cleanup();
    }
  });
});

describe('a new .sql file pamc did not write', () => {
  const CLEANUP = 'DROP TABLE public.trips;\nALTER TABLE public.pam_messages DISABLE ROW LEVEL SECURITY;\nGRANT ALL ON ALL TABLES IN SCHEMA public TO anon;\n';

  it('is an error on that file in every format', async () => {
    const p = projectRepo();
    try {
      writeFileSync(join(p.dir, 'out', '20990101000000_cleanup.sql'), CLEANUP);
      commitAll(p.dir, 'cleanup');
      const github = await check(p.dir, '--format', 'github');
      expect(github.status).toBe(1);
      expect(github.stdout).toMatch(/^::error file=out\/20990101000000_cleanup\.sql,line=1,col=1,title=hand-written-migration::/m);
      const text = await check(p.dir);
      expect(text.stderr).toContain('--> out/20990101000000_cleanup.sql:1:1');
      expect(text.stderr).not.toContain("not pamc's (left alone)");
      const json = JSON.parse((await check(p.dir, '--format', 'json')).stdout) as { diagnostics: Array<{ rule: string; file: string; line: number }> };
      expect(json.diagnostics).toContainEqual(expect.objectContaining({ rule: 'hand-written-migration', file: 'out/20990101000000_cleanup.sql', line: 1 }));
      const sarif = JSON.parse((await check(p.dir, '--format', 'sarif')).stdout) as {
        runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }>;
      };
      const result = sarif.runs[0]!.results.find((x) => x.ruleId === 'hand-written-migration')!;
      expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('out/20990101000000_cleanup.sql');
    } finally {
      p.cleanup();
    }
  });

  it('is left alone when the base already has it', async () => {
    const p = projectRepo('seed');
    try {
      writeFileSync(join(p.dir, 'out', '20200101000000_legacy.sql'), 'CREATE TABLE IF NOT EXISTS public.legacy (id uuid PRIMARY KEY);\n');
      commitAll(p.dir, 'legacy');
      const { git } = await import('./helpers/git.js');
      git(p.dir, 'checkout', '-q', 'main');
      git(p.dir, 'merge', '-q', 'seed');
      git(p.dir, 'checkout', '-qb', 'change');
      const r = await check(p.dir);
      expect(r.status).toBe(0);
      expect(r.stderr).toContain("not pamc's (left alone): out/20200101000000_legacy.sql");
    } finally {
      p.cleanup();
    }
  });
});

describe('respellings are not edits', () => {
  it('accepts a shipped type written another way and an in: list in another order', async () => {
    const p = projectRepo();
    try {
      edit(p.dir, PHASE_4, 'start:      { type: timestamptz }', 'start:      { type: timestamp with time zone }');
      edit(p.dir, PHASE_2, 'role:       { type: text, in: [user, pam] }', 'role:       { type: text, in: [pam, user] }');
      edit(p.dir, 'schema/phase-5-savings-tracker.yaml', /total_saved:\s*\{ type: numeric/, 'total_saved: { type: decimal');
      commitAll(p.dir, 'respell');
      const r = await check(p.dir);
      expect(r.stderr).not.toContain('error[');
      expect(r.status).toBe(0);
      expect((await runPamc(p.dir, ['build'])).stdout).toMatch(/up to date/);
    } finally {
      p.cleanup();
    }
  });
});

describe('the clock', () => {
  it('is a usage error, naming where it came from, when it makes no migration version', async () => {
    for (const [args, env, name] of [
      [['--now', '99999-01-01'], {}, '--now'],
      [['--now', 'yesterday'], {}, '--now'],
      [[], { SOURCE_DATE_EPOCH: '999999999999999' }, 'SOURCE_DATE_EPOCH'],
    ] as const) {
      const r = await runPamc(ROOT, ['build', ...args], env);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^pamc: ${name}: `));
    }
  });
});

describe('literals and names mean the same on every server', () => {
  const COMMENT = "\\'; DROP TABLE public.victims; --";
  const SPEC = `phase: 1
title: Literals
features:
  victims:
    tables:
      victims:
        columns:
          id: { type: uuid, primary_key: true }
        rls: { disabled: true, reason: "a table the hostile comment would drop" }
  notes:
    tables:
      notes:
        columns:
          id:          { type: uuid, primary_key: true, default: gen_random_uuid() }
          user_id:     { type: uuid, not_null: true, references: auth.users(id) }
          system_user: { type: text, comment: ${JSON.stringify(COMMENT)} }
          kind:        { type: text, in: [${JSON.stringify("a\\' OR true --")}] }
        rls: { owner: user_id, allow: [select] }
`;

  async function built(): Promise<{ dir: string; cleanup: () => void; sql: string[] }> {
    const { mkdtempSync, mkdirSync, readdirSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'pamc-literals-'));
    mkdirSync(join(dir, 'schema'));
    writeFileSync(join(dir, 'schema', 'phase-1.yaml'), SPEC);
    const r = await runPamc(dir, ['build']);
    expect(r.status, r.stderr).toBe(0);
    const files = readdirSync(join(dir, 'out'))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }), sql: files.map((f) => readFileSync(join(dir, 'out', f), 'utf8')) };
  }

  it('quotes a name that is a keyword in any PostgreSQL pamc targets, and writes backslashes so no setting changes a literal', async () => {
    const p = await built();
    try {
      const sql = p.sql.join('\n');
      expect(sql).toContain('"system_user" text');
      expect(sql).toContain(`IS E'\\\\''; DROP TABLE public.victims; --'`);
    } finally {
      p.cleanup();
    }
  });

  const url = testDatabaseUrl();
  it.skipIf(!url)('applies on PostgreSQL 15 with standard_conforming_strings off: nothing is dropped, the comment is exact', async () => {
    const { STANDIN_SQL } = await import('../compiler/verify/standin.js');
    const pg = (await import('pg')).default;
    const p = await built();
    try {
      await withScratchDatabase(async (db) => {
        const client = new pg.Client({ connectionString: db });
        await client.connect();
        try {
          await client.query(STANDIN_SQL);
          await client.query('SET standard_conforming_strings = off');
          await client.query('SET escape_string_warning = off');
          for (const text of p.sql) await client.query(text);
          const comment = await client.query(`SELECT col_description('public.notes'::regclass, 3) AS c, to_regclass('public.victims') IS NOT NULL AS kept`);
          expect(comment.rows[0]).toEqual({ c: COMMENT, kept: true });
          await client.query(`INSERT INTO auth.users (id) VALUES ('00000000-0000-0000-0000-000000000001')`);
          const bad = await client
            .query(`INSERT INTO public.notes (user_id, kind) VALUES ('00000000-0000-0000-0000-000000000001', 'x')`)
            .catch((e: Error) => e);
          expect(bad).toBeInstanceOf(Error);
        } finally {
          await client.end();
        }
      });
    } finally {
      p.cleanup();
    }
  });
});

describe('types are checked at build time', () => {
  it('refuses a type that does not exist, on its YAML line, with a suggestion', async () => {
    const p = projectRepo();
    try {
      addNote(p.dir, 'txet');
      const r = await runPamc(p.dir, ['build']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[unknown-type]: the type `txet` of column `note` does not exist at this point');
      expect(r.stderr).toContain('--> schema/phase-8-notes.yaml:8:25');
      expect(r.stderr).toContain('help: did you mean `text`?');
    } finally {
      p.cleanup();
    }
  });
});
