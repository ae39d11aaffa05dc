/**
 * Pull requests in parallel, the way a team runs them: real git
 * repositories, real branches, merges and rebases, every step through the
 * command line. Only what the base branch's lock lists is shipped; work in
 * progress stays editable; after a merge or a rebase, `pamc build` alone
 * repairs the branch; the lock merges with git's union driver (what
 * `pamc init` writes to .gitattributes).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readLockEntries, runPamc, snapshot } from './helpers/project.js';
import { commitAll, git, gitStatus, projectRepo } from './helpers/git.js';

/** A new phase file with one feature that creates a table. */
function feature(dir: string, phase: number, name: string, extra = ''): void {
  writeFileSync(
    join(dir, 'schema', `phase-${phase}-${name}.yaml`),
    [
      `phase: ${phase}`,
      `title: ${name}`,
      'features:',
      `  ${name}:`,
      '    tables:',
      `      ${name}:`,
      '        columns:',
      '          id:      { type: uuid, primary_key: true, default: gen_random_uuid() }',
      '          user_id: { type: uuid, not_null: true, references: auth.users(id) }',
      extra,
      '        rls: { owner: user_id, allow: [select, insert] }',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n') + '\n',
  );
}

/** The repository's project on main, with the lock's merge driver, on branch `branch`. */
function repo(branch = 'change'): { dir: string; cleanup: () => void } {
  const p = projectRepo(branch);
  git(p.dir, 'checkout', '-q', 'main');
  writeFileSync(join(p.dir, '.gitattributes'), 'out/pamc.lock merge=union\n');
  commitAll(p.dir, 'lock merge driver');
  git(p.dir, 'checkout', '-q', branch);
  git(p.dir, 'merge', '-q', 'main');
  return p;
}

const build = (dir: string, now: string, ...args: string[]) => runPamc(dir, ['build', '--now', now, ...args]);
const check = (dir: string, ...args: string[]) => runPamc(dir, ['check', ...args]);

function migrations(dir: string): string[] {
  return readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.sql'));
}

describe('work in progress', () => {
  it('stays editable after a local build: with a base, build rebuilds its migration; without one, the edit is refused', async () => {
    const p = repo();
    try {
      feature(p.dir, 17, 'campgrounds');
      const first = await build(p.dir, '2026-12-01T10:00:00Z', '--base', 'main');
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain('base main: what its lock lists is shipped; the rest is work in progress');
      expect(first.stdout).toContain('wrote out/20261201100000_campgrounds.sql');

      // verify found a mistake; the YAML is fixed.
      feature(p.dir, 17, 'campgrounds', '          name:    { type: text, not_null: true }');
      const refused = await build(p.dir, '2026-12-01T11:00:00Z');
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('nothing written to out/');

      const rebuilt = await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main');
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toContain('rebuilt out/20261201110000_campgrounds.sql (replaces out/20261201100000_campgrounds.sql)');
      expect(migrations(p.dir)).not.toContain('20261201100000_campgrounds.sql');
      expect(readFileSync(join(p.dir, 'out', '20261201110000_campgrounds.sql'), 'utf8')).toContain('name text NOT NULL');
      expect(readLockEntries(join(p.dir, 'out', 'pamc.lock')).map((e) => e.feature)).toContain('campgrounds');

      // Unchanged work in progress is left as it is.
      // Fixed again within the same second: the rebuilt migration takes the next second.
      feature(p.dir, 17, 'campgrounds', '          name:    { type: text, not_null: true }\n          notes:   { type: text }');
      const quick = await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main');
      expect(quick.status, quick.stderr).toBe(0);
      expect(quick.stdout).toContain('rebuilt out/20261201110001_campgrounds.sql (replaces out/20261201110000_campgrounds.sql)');
      expect(migrations(p.dir).filter((f) => f.endsWith('_campgrounds.sql'))).toEqual(['20261201110001_campgrounds.sql']);

      const again = await build(p.dir, '2026-12-01T12:00:00Z', '--base', 'main');
      expect(again.stdout).toContain('out/ is up to date');
      commitAll(p.dir, 'campgrounds');
      expect((await check(p.dir, '--base', 'main')).status).toBe(0);
    } finally {
      p.cleanup();
    }
  });

  it('learns the base from the pamc.base setting when git has that ref, and ignores it with --no-base', async () => {
    const p = repo();
    try {
      const pkgPath = join(p.dir, 'package.json');
      const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { pamc: Record<string, string> };
      pkg.pamc.base = 'main';
      writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
      feature(p.dir, 17, 'campgrounds');
      expect((await build(p.dir, '2026-12-01T10:00:00Z')).status).toBe(0);
      feature(p.dir, 17, 'campgrounds', '          name:    { type: text }');
      expect((await build(p.dir, '2026-12-01T11:00:00Z', '--no-base')).status).toBe(1);
      const rebuilt = await build(p.dir, '2026-12-01T11:00:00Z');
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toContain('rebuilt out/20261201110000_campgrounds.sql');
      // A ref git does not have (a clone without origin) is no base: everything in the lock is shipped.
      pkg.pamc.base = 'origin/main';
      writeFileSync(pkgPath, `${JSON.stringify(pkg, null, 2)}\n`);
      feature(p.dir, 17, 'campgrounds', '          name:    { type: text, not_null: true }');
      expect((await build(p.dir, '2026-12-01T12:00:00Z')).status).toBe(1);
    } finally {
      p.cleanup();
    }
  });

  it('a branch behind its base is told to merge or rebase first, not that it dropped what the base shipped since', async () => {
    const p = await twoBranches();
    try {
      feature(p.dir, 18, 'convoys', '          name:    { type: text }');
      for (const r of [await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main'), await check(p.dir, '--base', 'main')]) {
        expect(r.status).toBe(1);
        expect(r.stderr).toContain(
          'error[stale-output]: `main` shipped feature `campgrounds` (20261201100000_campgrounds.sql) after this branch left it: the branch does not have it yet',
        );
        expect(r.stderr).toContain('= help: merge or rebase on `main` (`git merge main`), then run `pamc build`');
        expect(r.stderr).not.toContain('drop-phase');
        expect(r.stderr).not.toContain('no longer lists');
      }
    } finally {
      p.cleanup();
    }
  });

  it('a feature removed before merge takes its migration with it', async () => {
    const p = repo();
    try {
      feature(p.dir, 17, 'campgrounds');
      expect((await build(p.dir, '2026-12-01T10:00:00Z', '--base', 'main')).status).toBe(0);
      rmSync(join(p.dir, 'schema', 'phase-17-campgrounds.yaml'));
      const r = await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('removed out/20261201100000_campgrounds.sql (work in progress the spec no longer has)');
      expect(migrations(p.dir).some((f) => f.includes('campgrounds'))).toBe(false);
      expect(readLockEntries(join(p.dir, 'out', 'pamc.lock')).some((e) => e.feature === 'campgrounds')).toBe(false);
    } finally {
      p.cleanup();
    }
  });

  it('build --dry-run prints the SQL it would write and changes nothing', async () => {
    const p = repo();
    try {
      feature(p.dir, 17, 'campgrounds');
      const before = snapshot(join(p.dir, 'out'));
      const r = await build(p.dir, '2026-12-01T10:00:00Z', '--dry-run');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^-- out\/20261201100000_campgrounds\.sql\n-- Generated by pamc/);
      expect(r.stdout).toContain('CREATE TABLE IF NOT EXISTS public.campgrounds');
      expect(r.stderr).toContain('would write out/20261201100000_campgrounds.sql');
      expect(r.stderr).toContain('nothing written (--dry-run)');
      expect(snapshot(join(p.dir, 'out'))).toEqual(before);
    } finally {
      p.cleanup();
    }
  });
});

/**
 * Two pull requests, each adding a feature: `early` is built first (the
 * earlier clock) but merged last, so its migration's version is older than
 * what shipped meanwhile.
 */
async function twoBranches(): Promise<{ dir: string; cleanup: () => void }> {
  const p = repo('early');
  feature(p.dir, 18, 'convoys');
  expect((await build(p.dir, '2026-12-01T09:00:00Z', '--base', 'main')).status).toBe(0);
  commitAll(p.dir, 'convoys');
  git(p.dir, 'checkout', '-q', 'main');
  git(p.dir, 'checkout', '-qb', 'late');
  feature(p.dir, 17, 'campgrounds');
  expect((await build(p.dir, '2026-12-01T10:00:00Z', '--base', 'main')).status).toBe(0);
  commitAll(p.dir, 'campgrounds');
  git(p.dir, 'checkout', '-q', 'main');
  git(p.dir, 'merge', '-q', '--no-ff', '--no-edit', 'late');
  expect((await check(p.dir)).status).toBe(0);
  git(p.dir, 'checkout', '-q', 'early');
  return p;
}

/** After `early` is brought up to date with main: build repairs it, check passes, and main passes once it is merged. */
const OUT_OF_ORDER = 'error[version-order]: migration 20261201090000_convoys.sql has version 20261201090000, not later than 20261201100000_campgrounds.sql';

async function repairAndShip(dir: string, wrong = OUT_OF_ORDER): Promise<void> {
  // Before the build, the gate says what is wrong and what to run.
  const stale = await check(dir, '--base', 'main');
  expect(stale.status).toBe(1);
  expect(stale.stderr).toContain(wrong);
  const r = await build(dir, '2026-12-01T11:00:00Z', '--base', 'main');
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toContain('rebuilt out/20261201110000_convoys.sql (replaces out/20261201090000_convoys.sql)');
  const versions = readLockEntries(join(dir, 'out', 'pamc.lock')).map((e) => `${e.version}_${e.feature}`);
  expect(versions.slice(-2)).toEqual(['20261201100000_campgrounds', '20261201110000_convoys']);
  commitAll(dir, 'rebuilt on main');
  expect((await check(dir, '--base', 'main')).status).toBe(0);
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '-q', '--no-ff', '--no-edit', 'early');
  const shipped = await check(dir);
  expect(shipped.status, shipped.stderr).toBe(0);
  expect(
    migrations(dir)
      .filter((f) => /campgrounds|convoys/.test(f))
      .sort(),
  ).toEqual(['20261201100000_campgrounds.sql', '20261201110000_convoys.sql']);
}

describe('two pull requests in parallel', () => {
  it('merge main into the branch: the lock merges without a conflict, and build gives the branch a version after what shipped', async () => {
    const p = await twoBranches();
    try {
      expect(gitStatus(p.dir, 'merge', '-q', '--no-edit', 'main')).toBe(0);
      await repairAndShip(p.dir);
    } finally {
      p.cleanup();
    }
  });

  it('rebase the branch on main: the same', async () => {
    const p = await twoBranches();
    try {
      expect(gitStatus(p.dir, 'rebase', '-q', 'main')).toBe(0);
      await repairAndShip(p.dir);
    } finally {
      p.cleanup();
    }
  });

  it('a rebase of several commits that each rebuilt the feature: the lock lists it twice, and build keeps one, after what shipped', async () => {
    const p = repo('early');
    try {
      feature(p.dir, 18, 'convoys');
      expect((await build(p.dir, '2026-12-01T09:00:00Z', '--base', 'main')).status).toBe(0);
      commitAll(p.dir, 'convoys');
      feature(p.dir, 18, 'convoys', '          name:    { type: text }');
      expect((await build(p.dir, '2026-12-01T09:30:00Z', '--base', 'main')).status).toBe(0);
      commitAll(p.dir, 'convoys: a name');
      git(p.dir, 'checkout', '-q', 'main');
      git(p.dir, 'checkout', '-qb', 'late');
      feature(p.dir, 17, 'campgrounds');
      expect((await build(p.dir, '2026-12-01T10:00:00Z', '--base', 'main')).status).toBe(0);
      commitAll(p.dir, 'campgrounds');
      git(p.dir, 'checkout', '-q', 'main');
      git(p.dir, 'merge', '-q', '--no-ff', '--no-edit', 'late');
      git(p.dir, 'checkout', '-q', 'early');
      expect(gitStatus(p.dir, 'rebase', '-q', 'main')).toBe(0);
      const listed = readFileSync(join(p.dir, 'out', 'pamc.lock'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('"feature":"convoys"'));
      expect(listed).toHaveLength(2);
      expect((await check(p.dir)).stderr).toContain('error[lock-integrity]: the lock lists feature `convoys` twice');
      const r = await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main');
      expect(r.status, r.stderr).toBe(0);
      expect(
        readLockEntries(join(p.dir, 'out', 'pamc.lock'))
          .filter((e) => e.feature === 'convoys')
          .map((e) => e.version),
      ).toEqual(['20261201110000']);
      expect(migrations(p.dir).filter((f) => f.includes('convoys'))).toEqual(['20261201110000_convoys.sql']);
      commitAll(p.dir, 'rebuilt');
      expect((await check(p.dir, '--base', 'main')).status).toBe(0);
    } finally {
      p.cleanup();
    }
  });

  it('a wrong resolution (keep our lock) leaves main’s migration unlisted: check names it, build restores it from the base', async () => {
    const p = await twoBranches();
    try {
      git(p.dir, 'merge', '-q', '--no-commit', '--no-ff', 'main');
      git(p.dir, 'checkout', 'HEAD', '--', 'out/pamc.lock');
      commitAll(p.dir, 'merge main, keeping our lock');
      expect(readLockEntries(join(p.dir, 'out', 'pamc.lock')).some((e) => e.feature === 'campgrounds')).toBe(false);

      const withoutBase = await check(p.dir);
      expect(withoutBase.status).toBe(1);
      expect(withoutBase.stderr).toContain('error[stale-output]: out/20261201100000_campgrounds.sql was written by pamc but no lock lists it');
      expect(withoutBase.stderr).not.toContain('not pamc');
      await repairAndShip(p.dir, 'error[lock-integrity]: the lock no longer lists 20261201100000_campgrounds.sql, which the base ref shipped');
    } finally {
      p.cleanup();
    }
  });

  it('without the merge driver the lock conflicts; the markers get a diagnostic that says what to run', async () => {
    const p = await twoBranches();
    try {
      rmSync(join(p.dir, '.gitattributes'));
      commitAll(p.dir, 'no merge driver');
      expect(gitStatus(p.dir, 'merge', '-q', '--no-edit', 'main')).not.toBe(0);
      expect(readFileSync(join(p.dir, 'out', 'pamc.lock'), 'utf8')).toMatch(/^<<<<<<< /m);
      const r = await check(p.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/error\[lock-integrity\]: the lock has git conflict markers \(line \d+\): a merge left it unresolved/);
      expect(r.stderr).toContain('keep the lines of both sides and delete the marker lines');
      expect((await build(p.dir, '2026-12-01T11:00:00Z', '--base', 'main')).status).toBe(1);

      // Resolved as the hint says: both sides' lines, no markers.
      const lock = readFileSync(join(p.dir, 'out', 'pamc.lock'), 'utf8');
      writeFileSync(join(p.dir, 'out', 'pamc.lock'), lock.replace(/^(<<<<<<<|=======|>>>>>>>).*\n/gm, ''));
      commitAll(p.dir, 'resolved');
      await repairAndShip(p.dir);
    } finally {
      p.cleanup();
    }
  });
});

describe('the format 1 lock', () => {
  it('is read as it is, and the next build writes pamc.lock in its place', async () => {
    const p = repo();
    try {
      const entries = readLockEntries(join(p.dir, 'out', 'pamc.lock'));
      rmSync(join(p.dir, 'out', 'pamc.lock'));
      writeFileSync(join(p.dir, 'out', 'pamc.lock.json'), `${JSON.stringify({ pamc: 1, chain: '0'.repeat(64), migrations: entries }, null, 2)}\n`);
      expect((await check(p.dir)).status).toBe(0);
      const r = await build(p.dir, '2026-12-01T10:00:00Z');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('replaced out/pamc.lock.json with out/pamc.lock');
      expect(existsSync(join(p.dir, 'out', 'pamc.lock.json'))).toBe(false);
      expect(readLockEntries(join(p.dir, 'out', 'pamc.lock'))).toEqual(entries);
    } finally {
      p.cleanup();
    }
  });
});

describe('warnings that cannot be fixed on a shipped table', () => {
  it('are settled by `acknowledge:` with a reason, printed only when asked for, and marked suppressed in SARIF', async () => {
    const p = repo();
    try {
      const plain = await check(p.dir);
      expect(plain.status).toBe(0);
      expect(plain.stderr).not.toContain('warning[');
      expect(plain.stdout).toBe('pamc check: ok (6 migrations, 0 warnings, 8 acknowledged)\n');
      const shown = await check(p.dir, '--show-acknowledged');
      expect(shown.stderr).toContain('warning[nullable-owner]: owner column `trips.user_id` may be NULL');
      expect(shown.stderr).toContain('= acknowledged: Shipped nullable; the app always sets user_id');
      const sarif = JSON.parse((await check(p.dir, '--format', 'sarif')).stdout) as { runs: Array<{ results: Array<{ suppressions?: unknown[] }> }> };
      expect(sarif.runs[0]!.results).toHaveLength(8);
      expect(sarif.runs[0]!.results.every((r) => r.suppressions?.length === 1)).toBe(true);
      expect((await check(p.dir, '--format', 'github')).stdout).toBe('');
    } finally {
      p.cleanup();
    }
  });

  it('an acknowledgment names a warning rule, and settles only what is located inside where it is written', async () => {
    const p = repo();
    try {
      const path = join(p.dir, 'schema', 'phase-4-passive-trip-logger.yaml');
      const text = readFileSync(path, 'utf8');
      writeFileSync(
        path,
        text
          .replace('          reserved-identifier:', '          reserved-identifer:')
          .replace('        acknowledge:\n', '        acknowledge:\n          drop-column: never\n'),
      );
      const r = await check(p.dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[invalid-value]: `acknowledge` names `reserved-identifer`, which is not a rule');
      expect(r.stderr).toContain('error[invalid-value]: `drop-column` reports errors, which cannot be acknowledged');
      // Written at a column, it does not settle the table's owner rule.
      writeFileSync(
        path,
        text
          .replace(/ {8}acknowledge:\n( {10}.*\n)+/, '')
          .replace(
            '          user_id:    { type: uuid, references: auth.users(id), on_delete: cascade }',
            '          user_id:    { type: uuid, references: auth.users(id), on_delete: cascade, acknowledge: { nullable-owner: x } }',
          ),
      );
      const misplaced = await check(p.dir);
      expect(misplaced.stderr).toContain('warning[nullable-owner]: owner column `trips.user_id` may be NULL');
    } finally {
      p.cleanup();
    }
  });

  it('with a base, GitHub annotations and SARIF cover the warnings on lines the pull request changed (and every error)', async () => {
    const p = repo();
    try {
      // main has a warning nobody settled, in a file the pull request does not touch.
      git(p.dir, 'checkout', '-q', 'main');
      const p2 = join(p.dir, 'schema', 'phase-2-conversational-engine.yaml');
      writeFileSync(p2, readFileSync(p2, 'utf8').replace(/ {8}acknowledge:\n( {10}.*\n)+/, ''));
      commitAll(p.dir, 'unsettled');
      git(p.dir, 'checkout', '-q', 'change');
      git(p.dir, 'merge', '-q', 'main');
      writeFileSync(
        join(p.dir, 'schema', 'phase-17-logs.yaml'),
        'phase: 17\ntitle: Logs\nfeatures:\n  logs:\n    tables:\n      logs:\n        columns:\n          id:      { type: uuid, primary_key: true }\n          user_id: { type: uuid, references: auth.users(id) }\n        rls: { owner: user_id, allow: [select] }\n',
      );
      expect((await build(p.dir, '2026-12-01T10:00:00Z', '--base', 'main')).status).toBe(0);
      const all = await check(p.dir, '--format', 'github');
      expect(all.stdout).toContain('file=schema/phase-2-conversational-engine.yaml');
      expect(all.stdout).toContain('file=schema/phase-17-logs.yaml');
      const pr = await check(p.dir, '--base', 'main', '--format', 'github');
      expect(pr.stdout).toContain('::warning file=schema/phase-17-logs.yaml,line=10');
      expect(pr.stdout).not.toContain('phase-2-conversational-engine');
      const sarif = JSON.parse((await check(p.dir, '--base', 'main', '--format', 'sarif')).stdout) as { runs: Array<{ results: Array<{ ruleId: string }> }> };
      expect(sarif.runs[0]!.results.map((r) => r.ruleId)).toEqual(['nullable-owner']);
    } finally {
      p.cleanup();
    }
  });
});

describe('YAML gotchas', () => {
  it('a type split at its comma says to quote it, in the same run as every other problem of the file', async () => {
    const p = repo();
    try {
      writeFileSync(
        join(p.dir, 'schema', 'phase-17-expenses.yaml'),
        [
          'phase: 17',
          'title: Expenses',
          'features:',
          '  expenses:',
          '    tables:',
          '      expenses:',
          '        columns:',
          '          id:      { type: uuid, primary_key: true, default: gen_random_uuid() }',
          '          user_id: { type: uuid, not_null: true, references: auth.users(id) }',
          '          amount:  { type: numeric(10,2), not_null: true }',
          '          status:  { type: text, default: pending }',
          '        rls: { owner: user_id, allow: [select] }',
          '',
        ].join('\n'),
      );
      const r = await build(p.dir, '2026-12-01T10:00:00Z');
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[unknown-key]: `type: numeric(10,2)` was split at its comma: YAML reads `2)` as a key of its own');
      expect(r.stderr).toContain('= help: quote the value: `type: "numeric(10,2)"`');
      expect(r.stderr).toContain('= help: a text literal is written in SQL quotes inside the YAML string: `default: "\'pending\'"`');
      expect(r.stderr).not.toContain('invalid-type');
      expect(r.stderr).toContain('2 errors, 0 warnings');
    } finally {
      p.cleanup();
    }
  });
});
