/**
 * `pamc verify` end to end: the built CLI (dist/, from `npx tsc -p .`) in the
 * repository and in temporary copies of it.
 */
import { describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, pamc, ROOT } from './helpers/project.js';
import { testDatabaseUrl, withScratchDatabase } from './helpers/db.js';

const LONG = 120_000;

describe('pamc verify', () => {
  it('proves the bundled spec for production on the embedded database', { timeout: LONG }, () => {
    const r = pamc(ROOT, ['verify']);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pamc verify: production, 5 migrations on embedded PostgreSQL/);
    expect(r.stdout).toMatch(/^pam_savings\s+owner \(A\)\s+ok\s+ok\s+ok\s+denied$/m);
    expect(r.stdout).toMatch(/^\s+anon\s+denied\s+denied\s+denied\s+denied$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
      'verify: 5 tables, 60 probes, 0 failures, 0 drift, 0 exposures; scanned 0 views and 0 functions for exposure',
    );
  });

  it('writes the same data as JSON, for staging', { timeout: LONG }, () => {
    const r = pamc(ROOT, ['verify', '--env', 'staging', '--format', 'json']);
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { ok: boolean; environment: string; summary: unknown; probes: unknown[]; drift: unknown[]; migrations: string[] };
    expect(report.ok).toBe(true);
    expect(report.environment).toBe('staging');
    expect(report.summary).toEqual({ tables: 6, probes: 72, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } });
    expect(report.migrations).toHaveLength(6);
    expect(report.migrations.every((m) => m.startsWith('out/staging/'))).toBe(true);
  });

  it('refuses a bad --database-url with a clear message and exit 2', () => {
    for (const url of ['not a url', 'mysql://localhost/db']) {
      const r = pamc(ROOT, ['verify', '--database-url', url]);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^pamc: --database-url: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('says so, with exit 2, when the server cannot be reached', { timeout: LONG }, () => {
    const r = pamc(ROOT, ['verify', '--database-url', 'postgres://nobody:secret@127.0.0.1:1/none']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pamc: cannot connect to postgres:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none: /);
    expect(r.stderr).not.toContain('secret');
  });

  it('asks for a build when features have no migration yet', { timeout: LONG }, () => {
    const project = copyProject();
    try {
      rmSync(join(project.dir, 'out'), { recursive: true, force: true });
      const r = pamc(project.dir, ['verify']);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/no migration yet: run `pamc build` first/);
      expect(r.stdout).toBe('');
    } finally {
      project.cleanup();
    }
  });

  it.skipIf(!testDatabaseUrl())('verifies against a real server with --database-url', { timeout: LONG }, async () => {
    await withScratchDatabase(async (url) => {
      const r = pamc(ROOT, ['verify', '--database-url', url]);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^pamc verify: production, 5 migrations on PostgreSQL \d+/);
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe(
        'verify: 5 tables, 60 probes, 0 failures, 0 drift, 0 exposures; scanned 0 views and 0 functions for exposure',
      );
    });
  });
});
