/**
 * The CI gate on the real spec: every destructive edit of the Pam playbook
 * fails with the right rule at the right line (and build would write
 * nothing); every additive edit passes and adds exactly one migration.
 */
import { describe, expect, it } from 'vitest';
import type { SourceFile } from '../compiler/report/diagnostic.js';
import { LineIndex } from '../compiler/report/diagnostic.js';
import { staleOutput } from '../compiler/compile.js';
import { compileProject, ROOT } from './helpers/project.js';
import { readSpec } from '../compiler/cli/io.js';
import { join } from 'node:path';

const P2 = 'schema/phase-2-conversational-engine.yaml';
const P4 = 'schema/phase-4-passive-trip-logger.yaml';
const P5 = 'schema/phase-5-savings-tracker.yaml';
const P6 = 'schema/phase-6-safety-layer.yaml';
const P7 = 'schema/phase-7-testing-tables.yaml';

/** An edit of the spec: replace text in a file, remove a file, or add one. */
type Edit = { file: string; from: string; to: string } | { remove: string } | { add: string; text: string };

function applyEdits(edits: readonly Edit[]): SourceFile[] {
  let sources = readSpec(join(ROOT, 'schema'), ROOT).sources;
  for (const e of edits) {
    if ('remove' in e) sources = sources.filter((s) => s.path !== e.remove);
    else if ('add' in e) sources = [...sources, { path: e.add, text: e.text }];
    else {
      const s = sources.find((x) => x.path === e.file)!;
      expect(s.text, `${e.file} contains the text to edit`).toContain(e.from);
      sources = sources.map((x) => (x === s ? { ...x, text: x.text.replace(e.from, e.to) } : x));
    }
  }
  return sources;
}

async function checkEdited(edits: readonly Edit[]) {
  const out = await compileProject(ROOT, { sources: applyEdits(edits) });
  const diagnostics = [...out.diagnostics, ...staleOutput(out, out.input.outFiles, 'out')];
  const at = (rule: string) =>
    diagnostics
      .filter((d) => d.rule === rule)
      .map((d) => {
        const text = out.input.sources.find((s) => s.path === d.span?.file)?.text ?? out.input.lock?.text ?? '';
        return `${d.span?.file}:${new LineIndex(text).position(d.span?.start ?? 0).line}`;
      });
  return { out, diagnostics, at };
}

const phase8 = (features: string) => ({ add: 'schema/phase-8.yaml', text: `phase: 8\ntitle: Additions\nfeatures:\n${features}` });

const destructive: Array<[rule: string, edits: Edit[], where: string]> = [
  [
    'drop-table',
    [
      { remove: P6 },
      {
        add: P6,
        text: 'phase: 6\ntitle: Safety Layer\nfeatures:\n  safety_events:\n    extend:\n      trips:\n        columns:\n          safety: { type: text }\n',
      },
    ],
    `${P6}:4`,
  ],
  ['drop-column', [{ file: P4, from: '          end:        { type: timestamptz }\n', to: '' }], `${P4}:8`],
  ['rename-table', [{ file: P4, from: '      trips:\n        columns:', to: '      journeys:\n        columns:' }], `${P4}:8`],
  ['rename-column', [{ file: P4, from: '          end:        {', to: '          finish:     {' }], `${P4}:13`],
  ['retype-column', [{ file: P4, from: 'end:        { type: timestamptz }', to: 'end:        { type: date }' }], `${P4}:13`],
  ['change-nullability', [{ file: P5, from: 'month:       { type: date, not_null: true }', to: 'month:       { type: date }' }], `${P5}:12`],
  ['change-default', [{ file: P5, from: 'default: 0 }', to: 'default: 1 }' }], `${P5}:13`],
  ['change-default', [{ file: P2, from: 'created_at: { type: timestamptz, default: now() }', to: 'created_at: { type: timestamptz }' }], `${P2}:16`],
  ['change-reference', [{ file: P2, from: 'on_delete: cascade', to: "on_delete: 'set null'" }], `${P2}:11`],
  ['drop-check', [{ file: P2, from: 'role:       { type: text, in: [user, pam] }', to: 'role:       { type: text }' }], `${P2}:13`],
  ['change-check', [{ file: P2, from: 'in: [user, pam]', to: 'in: [user, pam, system]' }], `${P2}:13`],
  ['drop-primary-key', [{ file: P2, from: 'id:         { type: uuid, primary_key: true,', to: 'id:         { type: uuid,' }], `${P2}:10`],
  ['unique-on-existing-column', [{ file: P2, from: 'session_id: { type: uuid }', to: 'session_id: { type: uuid, unique: true }' }], `${P2}:12`],
  ['narrow-allow', [{ file: P5, from: 'allow: [select, insert, update]', to: 'allow: [select, insert]' }], `${P5}:18`],
  ['change-owner', [{ file: P4, from: 'owner: user_id', to: 'owner: id' }], `${P4}:18`],
  [
    'disable-rls',
    [
      {
        file: P4,
        from: '        rls:\n          owner: user_id\n          allow: [select, insert]',
        to: '        rls: { disabled: true, reason: trips are public }',
      },
    ],
    `${P4}:17`,
  ],
  [
    'drop-feature',
    [
      {
        file: P6,
        from: 'features:\n',
        to: 'features:\n  safety_notes:\n    extend:\n      trips:\n        columns:\n          safety_note: { type: text }\n  removed:\n',
      },
      { file: P6, from: '  removed:\n  safety_events:', to: '  removed_safety_events:' },
    ],
    `${P6}:4`,
  ],
  ['drop-phase', [{ remove: P7 }], 'out/pamc.lock:'],
  ['reorder-features', [{ file: P2, from: 'phase: 2', to: 'phase: 10' }], `${P2}:5`],
  [
    'required-column',
    [phase8('  trip_rating:\n    extend:\n      trips:\n        columns:\n          rating: { type: integer, not_null: true }\n')],
    'schema/phase-8.yaml:8',
  ],
  [
    'unique-on-existing-column',
    [phase8('  one_trip:\n    extend:\n      trips:\n        indexes:\n          - columns: [user_id]\n            unique: true\n')],
    'schema/phase-8.yaml:8',
  ],
];

describe('destructive edits of the Pam spec', () => {
  for (const [rule, edits, where] of destructive) {
    it(`${rule} at ${where}`, async () => {
      const { out, at } = await checkEdited(edits);
      const found = at(rule);
      expect(found.length, `${rule} expected; got ${out.diagnostics.map((d) => d.rule).join(', ')}`).toBeGreaterThan(0);
      expect(
        found.some((f) => f.startsWith(where)),
        `${rule} at ${where}; got ${found.join(', ')}`,
      ).toBe(true);
      expect(out.files.size, 'build writes nothing').toBe(0);
    });
  }
});

describe('the rename guess', () => {
  it('names the rename when one column of a shape is dropped and one added', async () => {
    const { out } = await checkEdited([{ file: P4, from: '          stops:      { type: jsonb }', to: '          waypoints:  { type: jsonb }' }]);
    expect(out.diagnostics.filter((d) => d.rule === 'rename-column').map((d) => d.message)).toEqual([
      'column `trips.stops` was shipped and now appears as `waypoints`: a rename breaks every query that names the old column',
    ]);
    expect(out.diagnostics.some((d) => d.rule === 'drop-column')).toBe(false);
  });

  it('says it cannot tell when two columns of the shape go and one comes (one renamed, one dropped)', async () => {
    const { out } = await checkEdited([
      { file: P4, from: '          route:      { type: jsonb }\n', to: '' },
      { file: P4, from: '          stops:      { type: jsonb }', to: '          waypoints:  { type: jsonb }' },
    ]);
    expect(out.diagnostics.some((d) => d.rule === 'rename-column')).toBe(false);
    const why = ': columns of the same shape were dropped and added, and which became which cannot be told): dropping it would lose its data';
    expect(out.diagnostics.filter((d) => d.rule === 'drop-column').map((d) => d.message)).toEqual([
      `column \`trips.route\` was shipped and is no longer in the spec (it may have been renamed to \`waypoints\`${why} and break code that reads it`,
      `column \`trips.stops\` was shipped and is no longer in the spec (it may have been renamed to \`waypoints\`${why} and break code that reads it`,
    ]);
  });
});

const additive: Array<[what: string, edits: Edit[]]> = [
  [
    'a new table in a new phase',
    [
      phase8(
        '  pam_notes:\n    tables:\n      pam_notes:\n        columns:\n          id: { type: uuid, primary_key: true, default: gen_random_uuid() }\n          user_id: { type: uuid, not_null: true, references: auth.users(id), on_delete: cascade }\n          body: { type: text }\n        rls: { owner: user_id, allow: [select, insert, update, delete] }\n',
      ),
    ],
  ],
  ['a nullable column via extend', [phase8('  trip_notes:\n    extend:\n      trips:\n        columns:\n          note: { type: text }\n')]],
  [
    'a NOT NULL column with a default via extend',
    [phase8('  trip_kind:\n    extend:\n      trips:\n        columns:\n          kind: { type: text, not_null: true, default: "\'road\'" }\n')],
  ],
  ['an extra permission via extend', [phase8('  trip_editing:\n    extend:\n      trips:\n        rls:\n          allow: [update]\n')]],
];

describe('additive edits of the Pam spec', () => {
  for (const [what, edits] of additive) {
    it(`${what}: passes and adds exactly one migration`, async () => {
      const { out, diagnostics } = await checkEdited(edits);
      expect(diagnostics.filter((d) => d.severity === 'error' && d.rule !== 'stale-output')).toEqual([]);
      const fresh = out.plan.filter((p) => p.status === 'new');
      expect(fresh).toHaveLength(1);
      expect([...out.files.keys()].filter((f) => !f.startsWith('staging/') && f.endsWith('.sql'))).toEqual([fresh[0]!.file]);
      expect(out.files.has('pamc.lock')).toBe(true);
    });
  }
});
