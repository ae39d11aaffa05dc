/**
 * verify applies the hand-written migrations that share the output directory,
 * interleaved with pamc's in version order: a spec that extends a table a
 * hand-written migration creates is proven (on the embedded database, where
 * verify then makes no stub of that `existing:` table), and a hand-written
 * file that fails is named like a pamc migration. Through the command line,
 * in a temporary copy of the project.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyProject, runPamc } from './helpers/project.js';
import type { VerifyReport } from '../compiler/verify/index.js';

const LONG = 60_000;

const PHASE = `phase: 9
title: Vehicles
existing:
  vehicles:
    columns:
      id: { type: uuid, primary_key: true }
      user_id: { type: uuid }
      make: { type: text, not_null: true }
features:
  vehicle_nicknames:
    description: A name the owner gives the vehicle.
    extend:
      vehicles:
        columns:
          nickname: { type: text }
`;

const VEHICLES = `-- Written by hand before the team adopted pamc.
CREATE TABLE public.vehicles (
  id uuid PRIMARY KEY,
  user_id uuid REFERENCES auth.users (id),
  make text NOT NULL
);
`;

describe('verify with hand-written migrations in the output directory', () => {
  let project: { dir: string; cleanup: () => void };

  beforeAll(async () => {
    project = copyProject();
    writeFileSync(join(project.dir, 'schema', 'phase-9-vehicles.yaml'), PHASE);
    writeFileSync(join(project.dir, 'out', '20250101000000_vehicles.sql'), VEHICLES);
    writeFileSync(join(project.dir, 'out', 'notes.sql'), 'SELECT nothing_here;\n');
    const build = await runPamc(project.dir, ['build']);
    expect(build.stderr).not.toMatch(/^error/m);
    expect(build.status).toBe(0);
  }, LONG);
  afterAll(() => project?.cleanup());

  it('applies them in version order, once, for staging too, and proves a spec that extends a table one of them creates', { timeout: LONG }, async () => {
    const r = await runPamc(project.dir, ['verify', '--env', 'staging', '--format', 'json']);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as VerifyReport;
    expect(report.failure).toBeNull();
    expect(report.drift).toEqual([]);
    expect(report.ok).toBe(true);
    expect(r.status).toBe(0);
    expect(report.environment).toBe('staging');
    expect(report.summary).toEqual({ tables: 7, probes: 96, failures: 0, drift: 0, exposures: 0, scanned: { views: 0, functions: 0 } });
    expect(report.handWritten).toEqual(['out/20250101000000_vehicles.sql']);
    expect(report.skipped).toEqual(['out/notes.sql']);
    expect(report.migrations[0]).toBe('out/20250101000000_vehicles.sql');
    expect(report.migrations.slice(1).every((m) => m.startsWith('out/staging/'))).toBe(true);
    expect(report.migrations.at(-1)).toMatch(/^out\/staging\/\d{14}_vehicle_nicknames\.sql$/);
    expect(report.tables).toContain('public.vehicles');
  });

  it('names a hand-written file that fails: file, line, column, statement, SQLSTATE', { timeout: LONG }, async () => {
    const broken = join(project.dir, 'out', '20250102000000_vehicle_colors.sql');
    writeFileSync(broken, `-- Also by hand.\nALTER TABLE public.vehicles ADD COLUMN color text;\nUPDATE public.vehicle SET color = 'red';\n`);
    const r = await runPamc(project.dir, ['verify']);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^pamc verify: production, 8 migrations \(2 hand-written\) on embedded PostgreSQL/);
    expect(r.stdout).toContain('hand-written, applied once in version order: out/20250101000000_vehicles.sql, out/20250102000000_vehicle_colors.sql');
    expect(r.stdout).toContain('error: out/20250102000000_vehicle_colors.sql:3:8: relation "public.vehicle" does not exist (SQLSTATE 42P01)');
    expect(r.stdout).toContain("  statement: UPDATE public.vehicle SET color = 'red';");
  });
});
