/**
 * The pure parts of verify: statement splitting and positions, type
 * spelling, probe values, judging, and the catalog comparison on data.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadParser, type SqlParser, type SqlStatement } from '../compiler/sql/parser.js';
import { offsetOfPosition, positionOf, splitMigration, statementAt, statementHead, transactionControl, type SplitMigration } from '../compiler/verify/split.js';
import { describeBlocker, lockBudgetMs, lockPlan, lockSql, lockWaitOf, strongestPerTable } from '../compiler/verify/locks.js';
import { grantExcess, judgeExposure } from '../compiler/verify/exposure.js';
import { HAND_WRITTEN_NAME, stubTables, tablesCreatedByHand, verifyMigrations } from '../compiler/verify/migrations.js';
import { databaseTarget } from '../compiler/cli/verify.js';
import { compareSchema, normalizeType } from '../compiler/verify/compare.js';
import { judge, sampleLiteral, type Attempt } from '../compiler/verify/probes.js';
import type { Catalog, CatalogTable } from '../compiler/verify/catalog.js';
import { buildCatalog } from '../compiler/verify/catalog.js';
import type { ExpectedSchema, ExpectedTable } from '../compiler/verify/expected.js';
import { databaseUrlProblem, redactUrl } from '../compiler/verify/db.js';

/** A spec without enums, extensions, realtime or triggers. */
const NO_OBJECTS: ExpectedSchema['objects'] = { enums: [], extensions: [], realtime: [], triggers: [] };

describe('statements from the parser', () => {
  let parser: SqlParser;
  beforeAll(async () => {
    parser = await loadParser();
  });
  const statements = (sql: string): SqlStatement[] => {
    const r = parser.statements(sql);
    if (!r.ok) throw new Error(r.error.message);
    return r.statements;
  };

  it('keeps semicolons inside strings, identifiers, dollar quotes, comments and BEGIN ATOMIC bodies', () => {
    const sql = [
      '-- a comment; with a semicolon',
      "SELECT 'a;b', \"x;y\", E'it\\'s;';",
      '/* block /* nested; */ still; */',
      'DO $pamc$ BEGIN PERFORM 1; END $pamc$;',
      'SELECT $$;$$;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
      '-- trailing comment only',
    ].join('\n');
    const parts = statements(sql).map((s) => sql.slice(s.code, s.end));
    expect(parts).toEqual([
      "SELECT 'a;b', \"x;y\", E'it\\'s;';",
      'DO $pamc$ BEGIN PERFORM 1; END $pamc$;',
      'SELECT $$;$$;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;',
    ]);
    expect(statements(sql).map((s) => Object.keys(s.stmt)[0])).toEqual(['SelectStmt', 'DoStmt', 'SelectStmt', 'CreateFunctionStmt']);
  });

  it('ranges run from the end of the statement before, so the pieces rebuild the text', () => {
    const sql = '-- header\nSELECT 1;\n/* c */ SELECT 2 ;\nSELECT 3';
    const s = statements(sql);
    expect(s.map((x) => sql.slice(x.start, x.end))).toEqual(['-- header\nSELECT 1;', '\n/* c */ SELECT 2 ;', '\nSELECT 3']);
    expect(s.map((x) => sql.slice(x.code, x.end))).toEqual(['SELECT 1;', 'SELECT 2 ;', 'SELECT 3']);
  });

  it('counts offsets in UTF-16 units, not bytes', () => {
    const sql = "SELECT '😀é';\nSELECT 'ü', nope;";
    const [, second] = statements(sql);
    expect(sql.slice(second!.code, second!.end)).toBe("SELECT 'ü', nope;");
    const r = parser.statements("SELECT 'é😀' nope nope;");
    expect(r.ok).toBe(false);
    if (!r.ok) expect("SELECT 'é😀' nope nope;".slice(r.error.offset!)).toBe('nope;');
  });

  it('maps an error position to the statement, line and column', () => {
    const sql = '-- header\n\nSELECT 1;\n\nSELECT * FROM nope;\n';
    const position = sql.indexOf('nope') + 1;
    const offset = offsetOfPosition(sql, position);
    const s = statementAt(statements(sql), offset)!;
    expect(statementHead(sql, s)).toBe('SELECT * FROM nope;');
    expect(positionOf(sql, offset)).toEqual({ line: 5, column: 15 });
  });

  it('counts PostgreSQL positions in characters, not UTF-16 units', () => {
    const sql = "SELECT '😀', nope";
    // PostgreSQL counts the emoji as one character.
    const position = [...sql.slice(0, sql.indexOf('nope'))].length + 1;
    expect(sql.slice(offsetOfPosition(sql, position))).toBe('nope');
  });

  it('finds transaction control in the parse tree', () => {
    expect(transactionControl(statements('CREATE TABLE t (id int);\nDO $$ BEGIN END $$;'))).toBeNull();
    const sql = 'CREATE TABLE t (id int);\ncommit;';
    expect(sql.slice(transactionControl(statements(sql))!.code)).toBe('commit;');
    for (const control of ['BEGIN', 'START TRANSACTION', 'SAVEPOINT a', 'RELEASE a', 'ROLLBACK', 'END', 'ABORT', "PREPARE TRANSACTION 'x'"])
      expect(transactionControl(statements(`SELECT 1; ${control};`))).not.toBeNull();
  });

  it('makes a file the parser rejects a problem at the parser position', () => {
    const file = { path: 'out/1_bad.sql', text: 'SELECT 1;\nCREATE TABLE t (id int,);\n' };
    const r = splitMigration(parser, file);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.problem.code).toBe('42601');
      expect(r.problem.message).toBe('syntax error at or near ")"');
      expect(positionOf(file.text, r.problem.offset)).toEqual({ line: 2, column: 24 });
    }
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
      { name: 'id', type: 'uuid', notNull: true, default: 'gen_random_uuid()', in: null, check: null, identity: null },
      { name: 'user_id', type: 'uuid', notNull: false, default: null, in: null, check: null, identity: null },
      { name: 'body', type: 'text', notNull: true, default: null, in: null, check: null, identity: null },
    ],
    primaryKey: { name: 'notes_pkey', columns: ['id'] },
    foreignKeys: [
      { name: 'notes_user_id_fkey', column: 'user_id', target: { schema: 'auth', table: 'users', column: 'id' }, onDelete: 'cascade', onUpdate: 'no action' },
    ],
    uniques: [],
    checks: [],
    namedUniques: [],
    indexes: ['notes_user_id_idx'],
    methods: {},
    rls: { kind: 'rules', owner: 'user_id', allow: ['select'], rules: [], serviceOnly: false },
    policies: [
      { name: 'Users can read own notes', command: 'SELECT', roles: ['authenticated'], using: '(select auth.uid()) = user_id', check: null, permissive: true },
    ],
    grants: [
      { role: 'authenticated', operations: ['select'], exact: false },
      { role: 'service_role', operations: ['select', 'insert', 'update', 'delete'], exact: false },
    ],
  };
  const expected: ExpectedSchema = { environment: 'production', tables: [expectedTable], objects: NO_OBJECTS };
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

describe('locks', () => {
  let parser: SqlParser;
  beforeAll(async () => {
    parser = await loadParser();
  });
  const split = (path: string, text: string): SplitMigration => {
    const r = splitMigration(parser, { path, text });
    if (!r.ok) throw new Error(r.problem.message);
    return r.migration;
  };

  it('plans the table locks that conflict with an application, the strongest per table, from the parse trees', () => {
    const plan = lockPlan([
      split(
        'out/1_a.sql',
        [
          'CREATE TABLE IF NOT EXISTS public.trips (id uuid PRIMARY KEY, user_id uuid REFERENCES auth.users (id));',
          'CREATE INDEX IF NOT EXISTS trips_user_id_idx ON public.trips (user_id);',
          'ALTER TABLE public.trips ENABLE ROW LEVEL SECURITY;',
          'GRANT SELECT ON public.trips TO authenticated;',
          'DO $$ BEGIN CREATE POLICY p ON public.trips USING (true); END $$;',
        ].join('\n'),
      ),
      split(
        'out/2_b.sql',
        [
          'CREATE INDEX notes_idx ON notes (a);',
          'CREATE TRIGGER t BEFORE INSERT ON notes FOR EACH ROW EXECUTE FUNCTION f();',
          'ALTER TABLE public.notes ADD COLUMN trip uuid REFERENCES public.trips (id);',
          'DROP POLICY old ON s.t;',
          'TRUNCATE public.logs;',
          'LOCK TABLE public.queue IN ROW EXCLUSIVE MODE;',
          'LOCK TABLE public.jobs IN SHARE MODE;',
          'ALTER SEQUENCE s RESTART;',
        ].join('\n'),
      ),
    ]);
    expect(plan.map((l) => `${l.mode} ${l.relation}${l.unlessExists ? ` unless ${l.unlessExists} exists` : ''} (${l.file}:${l.line})`)).toEqual([
      'SHARE ROW EXCLUSIVE auth.users unless public.trips exists (out/1_a.sql:1)',
      'ACCESS EXCLUSIVE public.trips (out/1_a.sql:2)',
      'SHARE ROW EXCLUSIVE notes (out/2_b.sql:1)',
      'ACCESS EXCLUSIVE public.notes (out/2_b.sql:3)',
      'ACCESS EXCLUSIVE s.t (out/2_b.sql:4)',
      'ACCESS EXCLUSIVE public.logs (out/2_b.sql:5)',
      'SHARE public.jobs (out/2_b.sql:7)',
    ]);
    const take = strongestPerTable(plan.filter((l) => l.relation !== 'notes'));
    expect(lockSql(take)).toBe(
      [
        'LOCK TABLE public.trips, public.notes, s.t, public.logs IN ACCESS EXCLUSIVE MODE;',
        'LOCK TABLE auth.users IN SHARE ROW EXCLUSIVE MODE;',
        'LOCK TABLE public.jobs IN SHARE MODE;',
      ].join('\n'),
    );
  });

  it('budgets every attempt and backoff, and names who blocks', () => {
    expect(lockBudgetMs({ timeoutMs: 1000, retries: 3, backoffMs: 100 })).toBe(4700);
    const wait = lockWaitOf([
      {
        waiting: 'AccessExclusiveLock on trips',
        pid: 42,
        application_name: 'psql',
        usename: 'app',
        state: 'idle in transaction',
        xact_seconds: 12.34,
        query: 'SELECT *\n  FROM trips',
      },
    ]);
    expect(wait?.waitingFor).toBe('AccessExclusiveLock on trips');
    expect(describeBlocker(wait!.blockers[0]!)).toBe(
      'pid 42 (application "psql", user app, idle in transaction, transaction open 12.3 s): SELECT * FROM trips',
    );
    expect(lockWaitOf([{ waiting: null, pid: null }])).toBeNull();
  });
});

describe('exposure, judged on catalog rows', () => {
  const expected: ExpectedSchema = {
    environment: 'production',
    objects: NO_OBJECTS,
    tables: [
      {
        schema: 'public',
        name: 'trips',
        managed: true,
        columns: [],
        primaryKey: null,
        foreignKeys: [],
        uniques: [],
        checks: [],
        namedUniques: [],
        indexes: [],
        methods: {},
        rls: { kind: 'rules', owner: 'user_id', allow: ['select', 'insert'], rules: [], serviceOnly: false },
        policies: [],
        grants: [
          { role: 'authenticated', operations: ['select', 'insert'], exact: false },
          { role: 'service_role', operations: ['select', 'insert', 'update', 'delete'], exact: false },
        ],
      },
    ],
  };

  it('reports definer views, materialized views and SECURITY DEFINER functions that the API roles reach, and nothing else', () => {
    const view = { schema: 'public', owner: 'postgres', invoker: 'false', reads: ['public.trips'], readers: ['anon'] };
    const fn = { schema: 'public', args: '', returns_trigger: false, tracked: false, reads: [], callers: ['anon', 'authenticated'], public_execute: true };
    const scan = judgeExposure(
      {
        views: [
          { ...view, name: 'feed', kind: 'v' },
          { ...view, name: 'own', kind: 'v', invoker: 'on' },
          { ...view, name: 'counts', kind: 'm', invoker: 'false' },
          { ...view, name: 'admin', kind: 'v', readers: [] },
        ],
        functions: [
          { ...fn, name: 'all_trips', tracked: true, reads: ['public.trips'] },
          { ...fn, name: 'total' },
          { ...fn, name: 'answer', tracked: true },
          { ...fn, name: 'stamp', returns_trigger: true },
          { ...fn, name: 'hidden', schema: 'private' },
          { ...fn, name: 'backend', callers: [] },
        ],
        scanned: [{ views: 4, functions: 6 }],
      },
      expected,
    );
    expect(scan.exposures.map((e) => `${e.kind} ${e.object}`)).toEqual([
      'view public.feed',
      'materialized view public.counts',
      'function public.all_trips()',
      'function public.total()',
    ]);
    expect(scan).toMatchObject({ views: 4, functions: 6 });
  });

  it('reports privileges of a listed API role beyond the spec and the default privileges of the table owner', () => {
    const base = {
      tables: [{ key: 'public.trips', schema: 'public', name: 'trips', owner: 'postgres', row_security: true, force_row_security: false }],
      columns: [],
      constraints: [],
      indexes: [],
      policies: [],
      privileges: [
        { key: 'public.trips', role: 'anon', select: true, truncate: true },
        { key: 'public.trips', role: 'authenticated', select: true, insert: true, update: true, truncate: true },
      ],
      roles: [{ name: 'anon' }, { name: 'authenticated' }, { name: 'service_role' }],
    };
    expect(grantExcess(expected, buildCatalog(base)).map((e) => e.message)).toEqual([
      'authenticated holds UPDATE, TRUNCATE on trips, beyond what the spec implies (allow: select, insert; and what the default privileges give new tables)',
    ]);
    const supabase = buildCatalog({
      ...base,
      default_privileges: [
        { owner: 'postgres', schema: 'public', role: 'authenticated', privilege: 'UPDATE' },
        { owner: 'postgres', schema: null, role: 'PUBLIC', privilege: 'TRUNCATE' },
        { owner: 'someone_else', schema: 'public', role: 'authenticated', privilege: 'DELETE' },
      ],
    });
    expect(grantExcess(expected, supabase)).toEqual([]);
    // A table with exact grants: anon may hold nothing, authenticated its `allow`, whatever the default privileges say.
    const table = expected.tables[0]!;
    const exact = {
      ...expected,
      tables: [
        { ...table, grants: [{ role: 'anon', operations: [], exact: true }, ...table.grants.map((g) => ({ ...g, exact: g.role === 'authenticated' }))] },
      ],
    };
    expect(grantExcess(exact, supabase).map((e) => e.message)).toEqual([
      'anon holds SELECT, TRUNCATE on trips, beyond what the spec implies (allow: nothing)',
      'authenticated holds UPDATE, TRUNCATE on trips, beyond what the spec implies (allow: select, insert)',
    ]);
  });
});

describe('hand-written migrations', () => {
  it('are interleaved with pamc files by file name; names Supabase does not apply are skipped', () => {
    const plan = [{ feature: 'trips', file: '20260101000000_trips.sql', environments: ['production', 'staging'], status: 'emitted', sql: null, span: null }];
    const files = new Map([
      ['20260101000000_trips.sql', 'x'],
      ['staging/20260101000000_trips.sql', 'x'],
      ['20250101000000_legacy.sql', 'y'],
      ['20270101000000_later.sql', 'z'],
      ['20250101-hyphen.sql', 'w'],
    ]);
    const foreign = ['20250101-hyphen.sql', '20250101000000_legacy.sql', '20270101000000_later.sql'];
    const staging = verifyMigrations(plan as never, foreign, 'staging', files, 'out');
    expect(staging.files.map((f) => `${f.path}${f.handWritten ? ' (hand)' : ''}`)).toEqual([
      'out/20250101000000_legacy.sql (hand)',
      'out/staging/20260101000000_trips.sql',
      'out/20270101000000_later.sql (hand)',
    ]);
    expect(staging.skipped).toEqual(['out/20250101-hyphen.sql']);
    expect(HAND_WRITTEN_NAME.test('1_x.sql')).toBe(true);
    expect(HAND_WRITTEN_NAME.test('sub/1_x.sql')).toBe(false);
  });

  it('make no stub of an existing table a hand-written file creates', async () => {
    const parser = await loadParser();
    const r = splitMigration(parser, {
      path: 'out/1_legacy.sql',
      text: 'CREATE TABLE vehicles (id int); CREATE TABLE billing.accounts AS SELECT 1 AS id;',
      handWritten: true,
    });
    if (!r.ok) throw new Error(r.problem.message);
    const created = tablesCreatedByHand([r.migration]);
    expect([...created]).toEqual(['public.vehicles', 'billing.accounts']);
    const existing = [
      { schema: 'public', name: 'vehicles' },
      { schema: 'public', name: 'profiles' },
    ];
    expect(stubTables(existing as never, created).map((t) => t.name)).toEqual(['profiles']);
  });
});

describe('the database URL', () => {
  it('comes from --database-url, then PAMC_DATABASE_URL, then DATABASE_URL; --embedded ignores the variables', () => {
    const env = { PAMC_DATABASE_URL: 'postgres://a/x', DATABASE_URL: 'postgres://b/x' };
    expect(databaseTarget({ databaseUrl: 'postgres://flag/x' }, env)).toEqual({ url: 'postgres://flag/x', from: '--database-url' });
    expect(databaseTarget({}, env)).toEqual({ url: 'postgres://a/x', from: 'PAMC_DATABASE_URL' });
    expect(databaseTarget({}, { ...env, PAMC_DATABASE_URL: '' })).toEqual({ url: 'postgres://b/x', from: 'DATABASE_URL' });
    expect(databaseTarget({ embedded: true }, env)).toBeNull();
    expect(databaseTarget({}, {})).toBeNull();
  });
});
