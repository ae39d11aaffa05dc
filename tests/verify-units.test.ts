/**
 * The pure parts of verify: statement splitting and positions, type
 * spelling, probe values, judging, and the catalog comparison on data.
 */
import { describe, expect, it } from 'vitest';
import { offsetOfPosition, positionOf, splitStatements, statementAt, statementHead, transactionControl } from '../compiler/verify/split.js';
import { compareSchema, normalizeType } from '../compiler/verify/compare.js';
import { judge, sampleLiteral, type Attempt } from '../compiler/verify/probes.js';
import type { Catalog, CatalogTable } from '../compiler/verify/catalog.js';
import { buildCatalog } from '../compiler/verify/catalog.js';
import type { ExpectedSchema, ExpectedTable } from '../compiler/verify/expected.js';
import { databaseUrlProblem, redactUrl } from '../compiler/verify/db.js';

describe('splitStatements', () => {
  it('keeps semicolons inside strings, identifiers, dollar quotes and comments', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "SELECT 'a;b', \"x;y\", E'it\\'s;';",
      '/* block /* nested; */ still; */',
      'DO $pamc$ BEGIN PERFORM 1; END $pamc$;',
      'SELECT $$;$$;',
      '-- trailing comment only',
    ].join('\n');
    const parts = splitStatements(sql).map((s) => sql.slice(s.code, s.end));
    expect(parts).toEqual(["SELECT 'a;b', \"x;y\", E'it\\'s;';", 'DO $pamc$ BEGIN PERFORM 1; END $pamc$;', 'SELECT $$;$$;']);
  });

  it('keeps a last statement without a semicolon', () => {
    const sql = 'SELECT 1;\nSELECT 2';
    expect(splitStatements(sql).map((s) => sql.slice(s.code, s.end))).toEqual(['SELECT 1;', 'SELECT 2']);
  });

  it('maps an error position to the statement, line and column', () => {
    const sql = '-- header\n\nSELECT 1;\n\nSELECT * FROM nope;\n';
    const position = sql.indexOf('nope') + 1;
    const offset = offsetOfPosition(sql, position);
    const s = statementAt(splitStatements(sql), offset)!;
    expect(statementHead(sql, s)).toBe('SELECT * FROM nope;');
    expect(positionOf(sql, offset)).toEqual({ line: 5, column: 15 });
  });

  it('counts PostgreSQL positions in characters, not UTF-16 units', () => {
    const sql = "SELECT '😀', nope";
    // PostgreSQL counts the emoji as one character.
    const position = [...sql.slice(0, sql.indexOf('nope'))].length + 1;
    expect(sql.slice(offsetOfPosition(sql, position))).toBe('nope');
  });

  it('finds transaction control', () => {
    expect(transactionControl('CREATE TABLE t (id int);\nDO $$ BEGIN END $$;')).toBeNull();
    const sql = 'CREATE TABLE t (id int);\ncommit;';
    expect(sql.slice(transactionControl(sql)!.code)).toBe('commit;');
  });
});

describe('normalizeType', () => {
  it('spells common aliases as format_type does', () => {
    expect(normalizeType('timestamptz')).toBe('timestamp with time zone');
    expect(normalizeType('int')).toBe('integer');
    expect(normalizeType('varchar(20)')).toBe('character varying(20)');
    expect(normalizeType('numeric(10, 2)')).toBe('numeric(10,2)');
    expect(normalizeType('text[]')).toBe('text[]');
    expect(normalizeType('timestamptz(3)')).toBe('timestamp(3) with time zone');
    expect(normalizeType('uuid')).toBe('uuid');
  });
});

describe('probe values and judgement', () => {
  const col = (type: string, typeName: string, category: string, enumFirst: string | null = null) => ({ type, typeName, category, enumFirst });
  const uuid = () => '00000000-0000-4000-8000-000000000001';
  it('makes a literal of each common type', () => {
    expect(sampleLiteral(col('uuid', 'uuid', 'U'), 1, uuid)).toBe("'00000000-0000-4000-8000-000000000001'::uuid");
    expect(sampleLiteral(col('text', 'text', 'S'), 3, uuid)).toBe("'p3'::text");
    expect(sampleLiteral(col('jsonb', 'jsonb', 'U'), 1, uuid)).toBe("'{}'::jsonb");
    expect(sampleLiteral(col('date', 'date', 'D'), 1, uuid)).toBe("'2026-01-02'::date");
    expect(sampleLiteral(col('timestamp with time zone', 'timestamptz', 'D'), 0, uuid)).toBe("'2026-01-01 12:00:00+00'::timestamp with time zone");
    expect(sampleLiteral(col('numeric(10,2)', 'numeric', 'N'), 7, uuid)).toBe("'7'::numeric(10,2)");
    expect(sampleLiteral(col('boolean', 'bool', 'B'), 1, uuid)).toBe("'true'::boolean");
    expect(sampleLiteral(col('mood', 'mood', 'E', 'happy'), 1, uuid)).toBe("'happy'::mood");
    expect(sampleLiteral(col('text[]', '_text', 'A'), 1, uuid)).toBe("'{}'::text[]");
    expect(sampleLiteral(col('box', 'box', 'G'), 1, uuid)).toBeNull();
  });

  const works: Attempt = { what: 'user A reads its own row', sql: '', measure: 'rows', expect: 'works' };
  const denied: Attempt = { what: "user B reads user A's row", sql: '', measure: 'rows', expect: 'denied' };
  it('judges what an attempt saw', () => {
    expect(judge(works, { ok: true, count: 1 })).toEqual({ outcome: 'works', pass: true, detail: null });
    expect(judge(works, { ok: true, count: 0 }).pass).toBe(false);
    expect(judge(denied, { ok: true, count: 0 })).toEqual({ outcome: 'denied', pass: true, detail: null });
    expect(judge(denied, { ok: false, code: '42501', message: 'new row violates row-level security policy' })).toEqual({
      outcome: 'denied',
      pass: true,
      detail: null,
    });
    expect(judge(denied, { ok: true, count: 2 })).toEqual({
      outcome: 'works',
      pass: false,
      detail: "user B reads user A's row: expected nothing, it saw 2 rows",
    });
    expect(judge(denied, { ok: false, code: '42703', message: 'column "x" does not exist' })).toEqual({
      outcome: 'error',
      pass: false,
      detail: `user B reads user A's row: column "x" does not exist (42703)`,
    });
  });
});

describe('compareSchema', () => {
  const expectedTable: ExpectedTable = {
    schema: 'public',
    name: 'notes',
    managed: true,
    columns: [
      { name: 'id', type: 'uuid', notNull: true, default: 'gen_random_uuid()', in: null },
      { name: 'user_id', type: 'uuid', notNull: false, default: null, in: null },
      { name: 'body', type: 'text', notNull: true, default: null, in: null },
    ],
    primaryKey: { name: 'notes_pkey', columns: ['id'] },
    foreignKeys: [{ name: 'notes_user_id_fkey', column: 'user_id', target: { schema: 'auth', table: 'users', column: 'id' }, onDelete: 'cascade' }],
    uniques: [],
    checks: [],
    indexes: ['notes_user_id_idx'],
    rls: { kind: 'owner', owner: 'user_id', allow: ['select'] },
    policies: [{ name: 'Users can read own notes', operation: 'select', roles: ['authenticated'] }],
    grants: [
      { role: 'authenticated', operations: ['select'] },
      { role: 'service_role', operations: ['select', 'insert', 'update', 'delete'] },
    ],
  };
  const expected: ExpectedSchema = { environment: 'production', tables: [expectedTable] };
  const catalog = (patch: (t: CatalogTable) => void = () => undefined): Catalog => {
    const c = buildCatalog({
      tables: [{ key: 'public.notes', schema: 'public', name: 'notes', row_security: true, force_row_security: false }],
      columns: [
        {
          key: 'public.notes',
          name: 'id',
          type: 'uuid',
          type_name: 'uuid',
          category: 'U',
          enum_first: null,
          not_null: true,
          default: 'gen_random_uuid()',
          generated: false,
        },
        {
          key: 'public.notes',
          name: 'user_id',
          type: 'uuid',
          type_name: 'uuid',
          category: 'U',
          enum_first: null,
          not_null: false,
          default: null,
          generated: false,
        },
        {
          key: 'public.notes',
          name: 'body',
          type: 'text',
          type_name: 'text',
          category: 'S',
          enum_first: null,
          not_null: true,
          default: null,
          generated: false,
        },
      ],
      constraints: [
        { key: 'public.notes', name: 'notes_pkey', kind: 'p', columns: ['id'], target_schema: null, target_table: null, target_columns: [], on_delete: ' ' },
        {
          key: 'public.notes',
          name: 'notes_user_id_fkey',
          kind: 'f',
          columns: ['user_id'],
          target_schema: 'auth',
          target_table: 'users',
          target_columns: ['id'],
          on_delete: 'c',
        },
      ],
      indexes: [{ key: 'public.notes', name: 'notes_user_id_idx', unique: false, columns: ['user_id'] }],
      policies: [
        {
          key: 'public.notes',
          name: 'Users can read own notes',
          command: 'SELECT',
          roles: ['authenticated'],
          permissive: true,
          using: '(( SELECT auth.uid() AS uid) = user_id)',
          check: null,
        },
      ],
      privileges: [
        { key: 'public.notes', role: 'authenticated', select: true, insert: true, update: true, delete: true },
        { key: 'public.notes', role: 'service_role', select: true, insert: true, update: true, delete: true },
      ],
      roles: [{ name: 'anon' }, { name: 'authenticated' }, { name: 'service_role' }],
    });
    patch(c.tables.get('public.notes')!);
    return c;
  };
  const lines = (c: Catalog): string[] => compareSchema(expected, c, new Map()).map((d) => `${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`);

  it('finds nothing when the catalog matches; extra privileges of Supabase defaults are not drift', () => {
    expect(lines(catalog())).toEqual([]);
  });

  it('names every difference', () => {
    const c = catalog((t) => {
      t.columns[2] = { ...t.columns[2]!, notNull: false, type: 'character varying' };
      t.constraints = t.constraints.map((k) => (k.kind === 'foreign' ? { ...k, onDelete: 'no action' } : k));
      t.policies[0] = { ...t.policies[0]!, command: 'ALL', roles: ['public'] };
      t.policies.push({ name: 'open', command: 'SELECT', roles: ['anon'], permissive: true, using: 'true', check: null });
      t.privileges.set('service_role', ['select']);
      t.indexes = [];
      t.rowSecurity = false;
    });
    expect(lines(c)).toEqual([
      'notes.body: type is character varying, spec says text',
      'notes.body: is nullable, spec says NOT NULL',
      'notes.user_id: foreign key is ON DELETE NO ACTION, spec says ON DELETE CASCADE',
      'notes: index notes_user_id_idx missing',
      'notes: row level security is disabled, spec says enabled',
      'notes: policy "Users can read own notes" is FOR ALL, spec says FOR SELECT',
      'notes: policy "Users can read own notes" applies to public, spec says authenticated',
      'notes: policy "open" is not in the spec (FOR SELECT TO anon USING true)',
      'notes: service_role lacks INSERT, UPDATE, DELETE (the backend key needs every operation)',
    ]);
  });

  it('reports a missing table once', () => {
    expect(lines({ tables: new Map(), roles: new Set() })).toEqual(['notes: table missing']);
  });
});

describe('database URLs', () => {
  it('accepts postgres URLs only, and hides passwords', () => {
    expect(databaseUrlProblem('postgres://u:p@h:5432/d')).toBeNull();
    expect(databaseUrlProblem('postgresql://h/d')).toBeNull();
    expect(databaseUrlProblem('localhost:5432')).toMatch(/not a postgres:\/\/ URL|not a URL/);
    expect(databaseUrlProblem('nonsense')).toMatch(/is not a URL/);
    expect(redactUrl('postgres://u:secret@h/d')).toBe('postgres://u:***@h/d');
  });
});
