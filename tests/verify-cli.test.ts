/**
 * `pamc verify` end to end: the command line, run in-process (runPamc) in
 * the repository and in temporary copies of it. Which database it uses
 * (--database-url, PAMC_DATABASE_URL, DATABASE_URL, --embedded) and what it
 * says about it.
 */
import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, ROOT, runPamc } from './helpers/project.js';
import { run } from '../compiler/cli/run.js';
import { testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const LONG = 120_000;
const NO_ENV = { PAMC_DATABASE_URL: undefined, DATABASE_URL: undefined };
const SUMMARY = 'verify: 5 tables, 80 probes, 0 failures, 0 drift, 0 exposures; scanned 0 views and 0 functions for exposure';

describe('pamc verify', () => {
  it(
    'proves the bundled spec for production on the embedded database, which --embedded forces over DATABASE_URL, saying what it does on a terminal',
    { timeout: LONG },
    async () => {
      const r = { status: 0, stdout: '', stderr: '' };
      r.status = await run(['verify', '--embedded'], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1', ...NO_ENV, DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' },
        stdout: { write: (t) => void (r.stdout += t), isTTY: false },
        stderr: { write: (t) => void (r.stderr += t), isTTY: true },
      });
      expect(r.stderr).not.toMatch(/internal error|\n\s+at |cannot connect/);
      expect(r.status).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('pamc verify: ') && l.endsWith('…'))).toEqual([
        'pamc verify: starting the embedded PostgreSQL…',
        'pamc verify: applying 5 migrations…',
        'pamc verify: applying 5 migrations again (idempotency)…',
        'pamc verify: comparing the catalog with the spec…',
        'pamc verify: scanning views and functions for exposure…',
        'pamc verify: probing 5 tables…',
      ]);
      expect(r.stdout).toMatch(/^pamc verify: production, 5 migrations on embedded PostgreSQL/);
      expect(r.stdout).not.toMatch(/^database: /m);
      expect(r.stdout).toMatch(/^pam_savings\s+user A\s+ok\s+ok\s+ok\s+denied$/m);
      expect(r.stdout).toMatch(/^\s+anon\s+denied\s+denied\s+denied\s+denied$/m);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(SUMMARY);
    },
  );

  it('refuses a bad --database-url, DATABASE_URL or option with a clear message and exit 2', async () => {
    for (const url of ['not a url', 'mysql://localhost/db']) {
      const r = await runPamc(ROOT, ['verify', '--database-url', url], NO_ENV);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^pamc: --database-url: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const env = await runPamc(ROOT, ['verify'], { ...NO_ENV, DATABASE_URL: 'mysql://u:secret@localhost/db' });
    expect(env.status).toBe(2);
    expect(env.stderr).toBe('pamc: DATABASE_URL: `mysql://u:***@localhost/db` is not a postgres:// URL\n');
    const both = await runPamc(ROOT, ['verify', '--embedded', '--database-url', 'postgres://h/d'], NO_ENV);
    expect(both.status).toBe(2);
    expect(both.stderr).toBe('pamc: --embedded and --database-url exclude each other\n');
    for (const bad of [
      ['--lock-timeout', '0'],
      ['--statement-timeout', '1.5'],
    ]) {
      const r = await runPamc(ROOT, ['verify', ...bad], NO_ENV);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(
        new RegExp(`option '${bad[0]} <ms>' argument '${bad[1]!.replace('.', '\\.')}' is invalid\\. expected a whole number of milliseconds`),
      );
    }
  });

  it(
    'takes the server from --database-url, then PAMC_DATABASE_URL, then DATABASE_URL, and says so with exit 2 when it cannot be reached',
    { timeout: LONG },
    async () => {
      const cases: Array<[string[], Record<string, string | undefined>, string]> = [
        [
          ['--database-url', 'postgres://flag:secret@127.0.0.1:1/none'],
          { PAMC_DATABASE_URL: 'postgres://pamc@127.0.0.1:1/x', DATABASE_URL: 'postgres://db@127.0.0.1:1/x' },
          'flag:***',
        ],
        [[], { PAMC_DATABASE_URL: 'postgres://pamc:secret@127.0.0.1:1/none', DATABASE_URL: 'postgres://db@127.0.0.1:1/x' }, 'pamc:***'],
        [[], { PAMC_DATABASE_URL: '', DATABASE_URL: 'postgres://db:secret@127.0.0.1:1/none' }, 'db:***'],
      ];
      for (const [args, env, who] of cases) {
        const r = await runPamc(ROOT, ['verify', ...args], env);
        expect(r.status).toBe(2);
        expect(r.stderr).toContain(`pamc: cannot connect to postgres://${who}@127.0.0.1:1/none: `);
        expect(r.stderr).not.toContain('secret');
      }
    },
  );

  it('asks for a build when features have no migration yet', { timeout: LONG }, async () => {
    const project = copyProject();
    try {
      rmSync(join(project.dir, 'out'), { recursive: true, force: true });
      const r = await runPamc(project.dir, ['verify'], NO_ENV);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no migration yet: run `pamc build` first/);
      expect(r.stdout).toBe('');
    } finally {
      project.cleanup();
    }
  });

  it.skipIf(!testDatabaseUrl())(
    'verifies against a real server named by PAMC_DATABASE_URL, and says which, without the password',
    { timeout: LONG },
    async () => {
      await withScratchDatabase(async (url) => {
        const withPassword = new URL(url);
        withPassword.password = 'not-needed-with-trust';
        const r = await runPamc(ROOT, ['verify'], { DATABASE_URL: undefined, PAMC_DATABASE_URL: withPassword.toString() });
        expect(r.status).toBe(0);
        expect(r.stdout).toMatch(/^pamc verify: production, 5 migrations on PostgreSQL \d+/);
        const shown = new URL(url);
        shown.password = '***';
        expect(r.stdout).toContain(`database: ${shown.toString()} (from PAMC_DATABASE_URL)`);
        expect(r.stdout).not.toContain('not-needed-with-trust');
        expect(r.stdout).toMatch(/^locked up front: SHARE ROW EXCLUSIVE on auth\.users$/m);
        expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(SUMMARY);
      });
    },
  );
});
