/**
 * `pamc docs`: the Markdown data dictionary. The bundled spec's dictionary
 * is a golden file (tests/golden/docs/pam.md; UPDATE_GOLDEN=1 rewrites it);
 * a spec with every kind of table shows each one's origins, constraints,
 * access rules and diagram lines.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtureProject, ROOT, runPamc } from './helpers/project.js';

const GOLDEN = join(ROOT, 'tests/golden/docs/pam.md');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const EXISTING = `phase: 0
title: Existing
existing:
  profiles:
    columns:
      id: { type: uuid, primary_key: true, references: auth.users(id) }
      handle: { type: text, not_null: true, unique: true }
features: {}
`;

const TEAMS = `phase: 1
title: Teams | groups
features:
  teams:
    description: Teams of users.
    tables:
      teams:
        comment: "A team: people who *share* <things>."
        columns:
          id: { type: uuid, primary_key: true, default: gen_random_uuid() }
          owner_id: { type: uuid, not_null: true, references: profiles(id), on_delete: cascade }
          kind: { type: text, not_null: true, in: [club, "a|b"], comment: What sort of team. }
          size: { type: int, check: "size > 0 AND size < 100" }
          created_at: { type: timestamp with time zone, default: now() }
        indexes:
          - { columns: [kind, created_at] }
        rls: { owner: owner_id, allow: [select, insert] }
      team_audit:
        columns:
          team_id: { type: uuid, primary_key: true, references: teams(id) }
          detail: { type: jsonb }
        rls: { disabled: true, reason: Written by a trigger and read by the service role only. }
  team_edits:
    extend:
      teams:
        columns:
          renamed_at: { type: timestamptz }
        rls: { allow: [update] }
  staging_only:
    environments: [staging]
    tables:
      fixtures:
        columns:
          id: { type: uuid, primary_key: true }
          owner_id: { type: uuid, not_null: true, references: auth.users(id) }
        rls: { owner: owner_id, allow: [select] }
`;

function project(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'pamc-docs-'));
  writeFileSync(join(dir, 'package.json'), '{ "name": "app" }\n');
  mkdirSync(join(dir, 'schema'));
  writeFileSync(join(dir, 'schema/phase-0-existing.yaml'), EXISTING);
  writeFileSync(join(dir, 'schema/phase-1-teams.yaml'), TEAMS);
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The part of a document from a heading to the next heading of that level or higher. */
function section(doc: string, heading: string): string {
  const start = doc.indexOf(`${heading}\n`);
  if (start < 0) throw new Error(`no heading ${heading}`);
  const rest = doc.slice(start + heading.length + 1);
  const next = rest.search(/^#{1,3} /m);
  return next < 0 ? rest : rest.slice(0, next);
}

describe('pamc docs', () => {
  it('writes the bundled spec as the golden file says, the same bytes each time', async () => {
    const r = await runPamc(ROOT, ['docs']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    if (UPDATE) writeFileSync(GOLDEN, r.stdout);
    if (!existsSync(GOLDEN)) throw new Error(`${GOLDEN} is missing; run with UPDATE_GOLDEN=1 to write it, then review it`);
    expect(r.stdout).toBe(readFileSync(GOLDEN, 'utf8'));
    expect((await runPamc(ROOT, ['docs'])).stdout).toBe(r.stdout);
  });

  it('says where each table and column came from, its constraints and its access rules', async () => {
    const { dir, cleanup } = project();
    try {
      const r = await runPamc(dir, ['docs', '--out', 'docs/schema.md']);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('wrote docs/schema.md\n');
      const doc = readFileSync(join(dir, 'docs/schema.md'), 'utf8');
      expect(doc).not.toContain('fixtures');

      const teams = section(doc, '### `teams`');
      expect(teams).toContain('A team: people who \\*share\\* \\<things\\>.');
      expect(teams).toContain('Introduced by feature `teams` of phase 1 (Teams \\| groups), in `schema/phase-1-teams.yaml`.');
      expect(teams).toContain('| column | type | null | default | constraints | introduced by | comment |');
      expect(teams).toContain(
        '| `owner_id` | `uuid` | not null |  | references `profiles(id)`, on delete cascade (`teams_owner_id_fkey`) | `teams` (phase 1) |  |',
      );
      expect(teams).toContain('| `kind` | `text` | not null |  | one of `club`, `a\\|b` (`teams_kind_check`) | `teams` (phase 1) | What sort of team. |');
      expect(teams).toContain('check `size > 0 AND size < 100` (`teams_size_check`)');
      expect(teams).toContain('| `renamed_at` | `timestamptz` | null |  |  | `team_edits` (phase 1) |  |');
      expect(teams).toContain('- `teams_kind_created_at_idx` on `kind`, `created_at`, from `teams` (phase 1)');
      expect(teams).toContain('- `teams_owner_id_idx` on `owner_id`: the owner index pamc adds');
      expect(teams).toContain('  - select: read the rows it reaches; policy `Users can read own teams`, from `teams` (phase 1)');
      expect(teams).toContain('  - update: update the rows it reaches; policy `Users can update own teams`, from `team_edits` (phase 1)');
      expect(teams).toContain('Grants: exact. Anonymous clients hold nothing; signed-in users hold SELECT, INSERT, UPDATE;');

      const audit = section(doc, '### `team_audit`');
      expect(audit).toContain('| `team_id` | `uuid` | not null |  | primary key; references `teams(id)` (`team_audit_team_id_fkey`) |');
      expect(audit).toContain('Row level security is **off**, waived with the reason: Written by a trigger and read by the service role only.');

      const profiles = section(doc, '### `profiles`');
      expect(profiles).toContain('Introduced by an `existing:` declaration of phase 0, in `schema/phase-0-existing.yaml`: pamc does not create it.');
      expect(profiles).toContain('| `handle` | `text` | not null |  | unique | existing (phase 0) |');
      expect(profiles).toContain('Not managed by pamc');

      expect(doc).toContain('| [`teams`](#teams) | `teams` (phase 1) | owner `owner_id`: select, insert, update | A team: people who');
      const diagram = section(doc, '## Diagram');
      expect(diagram).toContain('  "auth.users" {\n    uuid id PK\n  }');
      expect(diagram).toContain('    timestamptz created_at\n');
      expect(diagram).toContain('  "auth.users" ||--o| "profiles" : "id"');
      expect(diagram).toContain('  "profiles" ||..o{ "teams" : "owner_id"');
      expect(diagram).toContain('  "teams" ||--o| "team_audit" : "team_id"');
    } finally {
      cleanup();
    }
  });

  it('marks staging-only tables with --env staging', async () => {
    const { dir, cleanup } = project();
    try {
      const doc = (await runPamc(dir, ['docs', '--env', 'staging'])).stdout;
      expect(doc).toContain('Introduced by feature `staging_only` (staging only) of phase 1');
      expect(doc).toContain('(staging)');
    } finally {
      cleanup();
    }
  });

  it('shows schema objects: enums with the feature of each added value, extensions, identity, on update, index keys and methods, named constraints, realtime and touched columns', async () => {
    const { dir, cleanup } = fixtureProject('tests/fixtures/objects/schema');
    try {
      const r = await runPamc(dir, ['docs']);
      expect(r.status, r.stderr).toBe(0);
      const doc = r.stdout;
      expect(doc).toContain(
        '## Enums\n\n- `trip_status`: `planned`, `active`, `done`, `cancelled` (in this order), from `trips` (phase 1); `cancelled` added by',
      );
      expect(doc).toContain('## Extensions\n\n- `citext`, in schema `extensions`, from `trips` (phase 1)\n- `pg_trgm`');
      expect(doc).toContain('| `id` | `bigint` | not null |  | primary key; identity, generated by default |');
      expect(doc).toContain('| `seq` | `integer` | not null |  | identity, generated always |');
      expect(doc).toContain('references `rigs(id)`, on delete set null, on update cascade (`trips_rig_id_fkey`)');
      expect(doc).toContain('- `trips_title_trgm_idx` on `title gin_trgm_ops` using gin, from `trips` (phase 1)');
      expect(doc).toContain('- `trips_title_lower_idx` on `lower(title)`, from');
      expect(doc).toContain('- `trips_user_title`: unique (`user_id`, `title`)');
      expect(doc).toMatch(/- `trips_dates_in_order`: check `[^`]+`/);
      expect(doc).toContain('- in the `supabase_realtime` publication');
      expect(doc).toContain('- `updated_at` is set to `now()` on every update (trigger `trips_touch_updated_at`)');
      expect(doc).toContain('parent `rig_id`: writes checked');
    } finally {
      cleanup();
    }
  });
});
