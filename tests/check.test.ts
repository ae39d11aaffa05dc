import { describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import AjvDraft04 from 'ajv-draft-04';
import { copyProject, pamc, readLockEntries, ROOT, writeLockEntries } from './helpers/project.js';

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const PHASE_4 = 'schema/phase-4-passive-trip-logger.yaml';

/** A copy of the project with `end` retyped to date. */
function retypedCopy() {
  const p = copyProject();
  const file = join(p.dir, PHASE_4);
  writeFileSync(file, readFileSync(file, 'utf8').replace('end:        { type: timestamptz }', 'end:        { type: date }'));
  return p;
}

describe('pamc check', () => {
  it('passes on the committed spec', () => {
    const r = pamc(ROOT, ['check']);
    expect(r.stderr).not.toContain('error[');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pamc check: ok \(6 migrations/m);
  });

  it('fails on a destructive edit and names the rule at the line', () => {
    const p = retypedCopy();
    try {
      const r = pamc(p.dir, ['check']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`error[retype-column]: column \`trips.end\` was shipped as \`timestamptz\` and is now \`date\``);
      expect(r.stderr).toContain(`--> ${PHASE_4}:13:31`);
    } finally {
      p.cleanup();
    }
  });

  it('fails when a feature is not built yet', () => {
    const p = copyProject();
    try {
      writeFileSync(
        join(p.dir, 'schema', 'phase-9.yaml'),
        'phase: 9\ntitle: Notes\nfeatures:\n  trip_notes:\n    extend:\n      trips:\n        columns:\n          note: { type: text }\n',
      );
      const r = pamc(p.dir, ['check']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[stale-output]: feature `trip_notes` has no migration in out/ yet');
      expect(pamc(p.dir, ['build']).status).toBe(0);
      expect(pamc(p.dir, ['check']).status).toBe(0);
    } finally {
      p.cleanup();
    }
  });

  it('writes exact GitHub workflow annotations', () => {
    const p = retypedCopy();
    try {
      const r = pamc(p.dir, ['check', '--format', 'github']);
      expect(r.status).toBe(1);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toContain(
        `::error file=${PHASE_4},line=13,col=31,endLine=13,endColumn=35,title=retype-column::column \`trips.end\` was shipped as \`timestamptz\` and is now \`date\`: a retype rewrites the table under an exclusive lock and can fail on existing rows%0Ahelp: keep \`timestamptz\`; add a new column of type \`date\` in a new feature (\`extend:\`) and move the data in the app`,
      );
      // The bundled spec acknowledges its warnings (`acknowledge:`): annotations leave them out.
      expect(lines.some((l) => l.startsWith('::warning'))).toBe(false);
    } finally {
      p.cleanup();
    }
  });

  it('writes JSON with the same fields', () => {
    const p = retypedCopy();
    try {
      const r = pamc(p.dir, ['check', '--format', 'json']);
      const body = JSON.parse(r.stdout) as { diagnostics: Array<Record<string, unknown>>; summary: { errors: number } };
      expect(body.summary.errors).toBe(1);
      expect(body.diagnostics.find((d) => d.rule === 'retype-column')).toMatchObject({
        severity: 'error',
        file: PHASE_4,
        line: 13,
        column: 31,
        endLine: 13,
        endColumn: 35,
      });
    } finally {
      p.cleanup();
    }
  });

  // The OASIS SARIF 2.1.0 JSON Schema (draft-04), vendored from the oasis-tcs/sarif-spec repository.
  const sarifSchema = join(ROOT, 'tests', 'fixtures', 'sarif', 'sarif-schema-2.1.0.json');
  it('writes SARIF 2.1.0 that validates against the OASIS schema', () => {
    const p = retypedCopy();
    try {
      const r = pamc(p.dir, ['check', '--format', 'sarif']);
      expect(r.status).toBe(1);
      const log = JSON.parse(r.stdout) as {
        runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { region: { startLine: number } } }> }> }>;
      };
      const ajv = new AjvDraft04.default({ allErrors: true, strict: false, validateFormats: false });
      const validate = ajv.compile(JSON.parse(readFileSync(sarifSchema, 'utf8')) as object);
      expect(validate(log), JSON.stringify(validate.errors)).toBe(true);
      const result = log.runs[0]!.results.find((x) => x.ruleId === 'retype-column')!;
      expect(result.locations[0]!.physicalLocation.region.startLine).toBe(13);
    } finally {
      p.cleanup();
    }
  });

  it('colours text only when asked, and never with NO_COLOR', () => {
    const p = retypedCopy();
    try {
      expect(pamc(p.dir, ['check'], { FORCE_COLOR: '1', NO_COLOR: '' }).stderr).toContain('\u001b[');
      expect(pamc(p.dir, ['check'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stderr).not.toContain('\u001b[');
      expect(pamc(p.dir, ['check']).stderr).not.toContain('\u001b[');
    } finally {
      p.cleanup();
    }
  });
});

describe('pamc check --base', () => {
  /** A git repository holding the project, with main committed. */
  function repo() {
    const p = copyProject();
    git(p.dir, 'init', '-q', '-b', 'main');
    git(p.dir, 'add', '-A');
    git(p.dir, 'commit', '-qm', 'shipped');
    git(p.dir, 'checkout', '-qb', 'feature');
    return p;
  }

  it('catches a branch that edits the spec and rewrites the lock to match', () => {
    const p = repo();
    try {
      const file = join(p.dir, PHASE_4);
      writeFileSync(file, readFileSync(file, 'utf8').replace('          end:        { type: timestamptz }\n', ''));
      const lockPath = join(p.dir, 'out', 'pamc.lock');
      // The branch "fixes" the lock by hand: drops the column from trips' snapshot.
      const entries = readLockEntries(lockPath);
      const spec = entries.find((m) => m.feature === 'trips')!.spec as { tables: Record<string, { columns: Record<string, unknown> }> };
      delete spec.tables.trips!.columns.end;
      writeLockEntries(lockPath, entries);
      git(p.dir, 'commit', '-qam', 'drop end');
      const r = pamc(p.dir, ['check', '--base', 'main']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[drop-column]: column `trips.end` was shipped');
      expect(r.stderr).toContain('error[lock-integrity]');
    } finally {
      p.cleanup();
    }
  });

  it('passes an additive branch: a new phase built and committed', () => {
    const p = repo();
    try {
      writeFileSync(
        join(p.dir, 'schema', 'phase-8.yaml'),
        'phase: 8\ntitle: Notes\nfeatures:\n  trip_notes:\n    extend:\n      trips:\n        columns:\n          note: { type: text }\n',
      );
      expect(pamc(p.dir, ['build']).status).toBe(0);
      git(p.dir, 'add', '-A');
      git(p.dir, 'commit', '-qm', 'notes');
      const r = pamc(p.dir, ['check', '--base', 'main']);
      expect(r.stderr).not.toContain('error[');
      expect(r.status).toBe(0);
    } finally {
      p.cleanup();
    }
  });

  it('explains a missing ref (a shallow clone) and exits 2', () => {
    const p = repo();
    try {
      const r = pamc(p.dir, ['check', '--base', 'origin/main']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('fetch-depth: 0');
    } finally {
      p.cleanup();
    }
  });
});

describe('pamc explain', () => {
  it('prints the doc of a rule, lists all rules, and exits 2 for an unknown one', () => {
    const doc = pamc(ROOT, ['explain', 'drop-column']);
    expect(doc.status).toBe(0);
    expect(doc.stdout).toBe(readFileSync(join(ROOT, 'docs/rules/drop-column.md'), 'utf8'));
    const list = pamc(ROOT, ['explain']);
    expect(list.stdout).toContain('retype-column');
    expect(pamc(ROOT, ['explain', 'no-such-rule']).status).toBe(2);
  });
});
