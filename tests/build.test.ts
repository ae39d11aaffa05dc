import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileProject, copyProject, pamc, ROOT } from './helpers/project.js';
import { hasErrors } from '../compiler/report/diagnostic.js';
import { loadParser } from '../compiler/sql/parser.js';
import { readSpec } from '../compiler/cli/io.js';
import { loadFile } from '../compiler/load/index.js';
import { validateFile } from '../compiler/validate/index.js';
import { parseLock } from '../compiler/lock/index.js';
import { foldEnvironments } from '../compiler/diff/environments.js';
import { deriveMigration } from '../compiler/plan/index.js';

const GOLDEN = join(ROOT, 'tests/golden/pam');
const update = process.env.UPDATE_GOLDEN === '1';

/** Compiles the bundled spec as if nothing had been emitted yet. */
async function freshBuild() {
  return compileProject(ROOT, { lock: null, outFiles: new Map() });
}

describe('the Pam playbook spec', () => {
  it('emits the golden migrations', async () => {
    const out = await freshBuild();
    expect(out.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const files = [...out.files.entries()].filter(([p]) => p !== 'pamc.lock');
    expect(files.map(([p]) => p)).toEqual([
      '20260101000000_pam_messages.sql',
      'staging/20260101000000_pam_messages.sql',
      '20260101000001_pam_sessions.sql',
      'staging/20260101000001_pam_sessions.sql',
      '20260101000002_trips.sql',
      'staging/20260101000002_trips.sql',
      '20260101000003_pam_savings.sql',
      'staging/20260101000003_pam_savings.sql',
      '20260101000004_safety_events.sql',
      'staging/20260101000004_safety_events.sql',
      'staging/20260101000005_pam_test_data.sql',
    ]);
    if (update) mkdirSync(GOLDEN, { recursive: true });
    for (const [path, sql] of files) {
      if (path.startsWith('staging/')) {
        const prod = out.files.get(path.slice('staging/'.length));
        if (prod !== undefined) expect(sql).toBe(prod);
      }
      const golden = join(GOLDEN, path.replace('staging/', ''));
      if (update) writeFileSync(golden, sql);
      expect(sql, path).toBe(readFileSync(golden, 'utf8'));
    }
  });

  it('parses every emitted file with the PostgreSQL parser, one statement list each', async () => {
    const parser = await loadParser();
    const out = await freshBuild();
    for (const [path, sql] of out.files) {
      if (!path.endsWith('.sql')) continue;
      const parsed = parser.parse(sql);
      expect(parsed.ok, path).toBe(true);
      if (parsed.ok) expect(parsed.statements.length).toBeGreaterThan(3);
    }
  });

  it('is deterministic: the same spec and lock give byte-identical files', async () => {
    const a = await freshBuild();
    const b = await freshBuild();
    expect([...a.files.entries()]).toEqual([...b.files.entries()]);
  });

  it('keeps staging-only features out of production output', async () => {
    const out = await freshBuild();
    expect([...out.files.keys()].filter((p) => !p.startsWith('staging/') && p.includes('pam_test_data'))).toEqual([]);
    const staging = [...out.files.keys()].filter((p) => p.startsWith('staging/')).sort();
    expect(staging).toHaveLength(6);
  });

  it('changes nothing when built again against the committed out/', async () => {
    const out = await compileProject(ROOT);
    expect(hasErrors(out.diagnostics)).toBe(false);
    expect(out.files.size).toBe(0);
    expect(out.plan.every((p) => p.status === 'emitted')).toBe(true);
  });

  it('re-derives every shipped migration of the repository byte for byte: a lock entry written before exact grants keeps its grants', async () => {
    const out = await compileProject(ROOT);
    const { lock } = parseLock(out.input.lock);
    expect(lock.entries.length).toBeGreaterThan(0);
    const folds = foldEnvironments(out.spec!);
    for (const entry of lock.entries) {
      const feature = folds.ready.find((f) => f.name === entry.feature)!;
      expect(feature.legacy, entry.feature).toBe(entry.grants !== 'exact');
      const derived = deriveMigration(feature, entry.version, folds.deltaOf(feature));
      const path = join(ROOT, 'out', entry.environments.includes('production') ? '' : 'staging', entry.file);
      expect(derived.sql, entry.file).toBe(readFileSync(path, 'utf8'));
      expect(derived.entry, entry.file).toEqual(entry);
    }
  });

  it('validates every phase file of the repository against the shipped JSON Schema', () => {
    const { sources } = readSpec(join(ROOT, 'schema'), ROOT);
    expect(sources.length).toBe(6);
    for (const source of sources) {
      const { file, diagnostics } = loadFile(source);
      expect(diagnostics).toEqual([]);
      expect(validateFile(file!), source.path).toEqual([]);
      expect(source.text.split('\n')[0]).toBe('# yaml-language-server: $schema=../compiler/validate/pamc.schema.json');
    }
  });

  it('warns about the reserved word `end` and quotes it in the SQL', async () => {
    const out = await freshBuild();
    const warning = out.diagnostics.find((d) => d.rule === 'reserved-identifier');
    expect(warning?.message).toContain('`end`');
    expect(out.files.get('20260101000002_trips.sql')).toContain('"end" timestamptz');
  });
});

describe('pamc build (CLI)', () => {
  it('builds a fresh project, then changes nothing on a second run', () => {
    const p = copyProject(['package.json', 'schema']);
    try {
      const first = pamc(p.dir, ['build']);
      expect(first.status).toBe(0);
      expect(first.stdout).toContain('wrote out/20260101000000_pam_messages.sql');
      const files = readdirSync(join(p.dir, 'out')).sort();
      const before = files.map((f) => (f === 'staging' ? '' : readFileSync(join(p.dir, 'out', f), 'utf8')));
      const second = pamc(p.dir, ['build'], { SOURCE_DATE_EPOCH: '1800000000' });
      expect(second.status).toBe(0);
      expect(second.stdout).toContain('up to date');
      expect(readdirSync(join(p.dir, 'out')).sort()).toEqual(files);
      expect(files.map((f) => (f === 'staging' ? '' : readFileSync(join(p.dir, 'out', f), 'utf8')))).toEqual(before);
    } finally {
      p.cleanup();
    }
  });

  it('prints the time of every stage with --timings, reading and the lock included', () => {
    const p = copyProject(['package.json', 'schema']);
    try {
      const timed = (args: string[]): Map<string, number> => {
        const r = pamc(p.dir, [...args, '--timings']);
        expect(r.status).toBe(0);
        return new Map([...r.stderr.matchAll(/^timing (\S+) ([0-9.]+) ms$/gm)].map((m) => [m[1]!, Number(m[2])]));
      };
      const build = timed(['build']);
      expect([...build.keys()].sort()).toEqual(['diff', 'emit', 'load', 'lock', 'model', 'parse-check', 'parser-load', 'read', 'rules', 'validate', 'write']);
      // A fresh build of the playbook reads files, renders a lock and writes: none of these is free.
      for (const stage of ['read', 'lock', 'write', 'emit']) expect(build.get(stage)!, stage).toBeGreaterThan(0);
      const check = timed(['check']);
      expect(check.has('read') && check.has('lock')).toBe(true);
      expect(check.has('write')).toBe(false);
    } finally {
      p.cleanup();
    }
  });

  it('gives a new feature a version later than every file in out/, hand-written ones included', () => {
    const p = copyProject();
    try {
      writeFileSync(join(p.dir, 'out', '29990101000000_hand_written.sql'), 'select 1;\n');
      writeFileSync(
        join(p.dir, 'schema', 'phase-8.yaml'),
        'phase: 8\ntitle: Notes\nfeatures:\n  pam_notes:\n    tables:\n      pam_notes:\n        columns:\n          id: { type: uuid, primary_key: true }\n          user_id: { type: uuid, not_null: true, references: auth.users(id) }\n        rls: { owner: user_id, allow: [select] }\n',
      );
      const r = pamc(p.dir, ['build']);
      expect(r.stderr).not.toContain('error[');
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('wrote out/29990101000001_pam_notes.sql');
      expect(readFileSync(join(p.dir, 'out', '29990101000000_hand_written.sql'), 'utf8')).toBe('select 1;\n');
    } finally {
      p.cleanup();
    }
  });

  it('refuses an edit of an emitted feature with a located diagnostic, and writes nothing', () => {
    const p = copyProject();
    try {
      const file = join(p.dir, 'schema', 'phase-4-passive-trip-logger.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('end:        { type: timestamptz }', 'end:        { type: date }'));
      writeFileSync(
        join(p.dir, 'schema', 'phase-9.yaml'),
        'phase: 9\ntitle: More\nfeatures:\n  extra:\n    extend:\n      trips:\n        columns:\n          note: { type: text }\n',
      );
      const lockBefore = readFileSync(join(p.dir, 'out', 'pamc.lock'), 'utf8');
      const listing = readdirSync(join(p.dir, 'out')).sort();
      const r = pamc(p.dir, ['build']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[retype-column]');
      expect(r.stderr).toContain('--> schema/phase-4-passive-trip-logger.yaml:13:31');
      expect(r.stderr).toContain('nothing written to out/');
      expect(readFileSync(join(p.dir, 'out', 'pamc.lock'), 'utf8')).toBe(lockBefore);
      expect(readdirSync(join(p.dir, 'out')).sort()).toEqual(listing);
    } finally {
      p.cleanup();
    }
  });

  it('refuses a hand-edited migration', () => {
    const p = copyProject();
    try {
      const name = readdirSync(join(p.dir, 'out')).find((f) => f.endsWith('_trips.sql'))!;
      writeFileSync(join(p.dir, 'out', name), `${readFileSync(join(p.dir, 'out', name), 'utf8')}\n-- tweak\n`);
      const r = pamc(p.dir, ['build']);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('error[modified-migration]');
      expect(r.stderr).toContain(`out/${name} was edited after it was emitted`);
    } finally {
      p.cleanup();
    }
  });

  it('exits 2 on usage errors and a missing schema directory', () => {
    const p = copyProject(['package.json']);
    try {
      expect(pamc(p.dir, ['build', '--format', 'xml']).status).toBe(2);
      expect(pamc(p.dir, ['frobnicate']).status).toBe(2);
      const r = pamc(p.dir, ['build']);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('schema directory');
      expect(existsSync(join(p.dir, 'out', 'pamc.lock'))).toBe(false);
    } finally {
      p.cleanup();
    }
  });
});
