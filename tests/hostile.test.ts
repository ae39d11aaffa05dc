/**
 * Hostile input, through the real CLI: `pamc build` in a temporary copy of
 * the project, with one hostile phase file (or file system entry) added. The
 * command line runs in this process, except for input that could exhaust a
 * resource (an alias bomb, deep nesting, huge files, a pipe), which runs in a
 * process of its own under a hang guard.
 *
 * Every refused case must end in a diagnostic with a rule id, exit 1, no
 * stack trace or "internal error", a bounded amount of output, and out/
 * exactly as it was. The spawn timeout is a hang guard, not a performance
 * assertion. A few inputs that look hostile but are valid YAML written by
 * ordinary editors (a byte-order mark, CRLF line endings, tabs between
 * tokens) must simply build. docs/hostile-input.md lists every case and
 * the diagnostic it gets; `PAMC_HOSTILE_REPORT=<file>` writes that table
 * from what the CLI really printed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawnSync, execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, copyProject, runPamc, snapshot } from './helpers/project.js';

const HANG_GUARD_MS = 20_000;
const MAX_OUTPUT = 20_000;
const REPORT = process.env.PAMC_HOSTILE_REPORT;

/** A small valid phase file; cases edit it. Line 9 is `user_id`, line 10 is `body`. */
const BASE = [
  'phase: 9',
  'title: Notes',
  'features:',
  '  notes:',
  '    tables:',
  '      notes:',
  '        columns:',
  '          id:      { type: uuid, primary_key: true, default: gen_random_uuid() }',
  '          user_id: { type: uuid, not_null: true, references: auth.users(id), on_delete: cascade }',
  '          body:    { type: text }',
  '        rls:',
  '          owner: user_id',
  '          allow: [select, insert]',
  '',
].join('\n');

function withBody(body: string): string {
  // A replacer function: a replacement string would read `$$` as `$`.
  return BASE.replace('          body:    { type: text }', () => `          body:    ${body}`);
}

interface Run {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `pamc build` in `dir`: in this process, or (`inProcess` false) in a child process under the hang guard. */
async function build(dir: string, inProcess = true): Promise<Run> {
  const t0 = performance.now();
  if (inProcess) return { ...(await runPamc(dir, ['build'])), signal: null, ms: performance.now() - t0 };
  const r = spawnSync(process.execPath, [CLI, 'build'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: HANG_GUARD_MS,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' },
  });
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', ms: performance.now() - t0 };
}

/** The rule ids of the errors in text output. */
function errorRules(text: string): string[] {
  return [...text.matchAll(/^error\[([a-z-]+)\]/gm)].map((m) => m[1]!);
}

/** The first error of `rule`: its message and location. */
function firstError(text: string, rule: string): { message: string; at: string | null } {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`error[${rule}]: `));
  if (i < 0) return { message: '', at: null };
  const at = /-->\s+(\S+)/.exec(lines[i + 1] ?? '')?.[1] ?? null;
  return { message: lines[i]!.slice(`error[${rule}]: `.length), at };
}

function assertNoCrash(r: Run): void {
  const all = r.stdout + r.stderr;
  expect(r.signal, 'the build was killed by the hang guard').toBeNull();
  expect(all).not.toMatch(/internal error/i);
  expect(all).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
  expect(all).not.toMatch(/\b(TypeError|RangeError|ReferenceError|Maximum call stack)\b/);
  expect(all.length, 'output is bounded').toBeLessThan(MAX_OUTPUT);
  expect(all).not.toContain('\u001b');
}

const reportRows: string[] = [];
afterAll(() => {
  if (REPORT && reportRows.length) appendFileSync(REPORT, `${reportRows.join('\n')}\n`);
});

interface Refused {
  name: string;
  /** Writes the hostile input into the project at `dir`. */
  setup: (dir: string) => void;
  rule: string;
  /** A part of the message. */
  message: string | RegExp;
  /** `file:line:column` of the diagnostic, when it has one. */
  at?: string;
  /** Input that could exhaust a resource: run in a process of its own, under the hang guard. */
  own?: boolean;
}

function write(name: string, text: string | Buffer): (dir: string) => void {
  return (dir) => writeFileSync(join(dir, 'schema', name), text);
}

const outside = mkdtempSync(join(tmpdir(), 'pamc-outside-'));
writeFileSync(join(outside, 'phase-9.yaml'), BASE);
afterAll(() => rmSync(outside, { recursive: true, force: true }));

const laughs = ['phase: 9', 'title: Laughs', 'lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
for (let i = 1; i <= 9; i++)
  laughs.push(
    `lol${i}: &l${i} [${Array(9)
      .fill(`*l${i - 1}`)
      .join(', ')}]`,
  );
laughs.push('features: {}', '');

const REFUSED: Refused[] = [
  {
    name: 'a YAML alias bomb (billion laughs)',
    own: true,
    setup: write('x.yaml', laughs.join('\n')),
    rule: 'yaml-syntax',
    message: 'aliases expand to more than 10000 nodes',
    at: 'schema/x.yaml:3:',
  },
  {
    name: 'flow collections nested 100,000 deep',
    own: true,
    setup: write('x.yaml', `phase: 9\ntitle: Deep\nfeatures:\n  x: ${'['.repeat(100_000)}${']'.repeat(100_000)}\n`),
    rule: 'yaml-syntax',
    message: 'the document nests deeper than 64 levels',
    at: 'schema/x.yaml:4:',
  },
  {
    name: 'block sequences nested 100,000 deep on one line',
    setup: write('x.yaml', `phase: 9\ntitle: Deep\nfeatures:\n  x:\n    ${'- '.repeat(100_000)}x\n`),
    rule: 'yaml-syntax',
    message: 'the document nests deeper than 64 levels',
    at: 'schema/x.yaml:5:',
  },
  {
    name: 'block mappings nested 1,000 deep by indentation',
    setup: write('x.yaml', `phase: 9\ntitle: Deep\nfeatures:\n${Array.from({ length: 1000 }, (_, i) => `${' '.repeat(i + 1)}a${i}:\n`).join('')}`),
    rule: 'yaml-syntax',
    message: 'the document nests deeper than 64 levels',
  },
  {
    name: 'aliases of aliases nested deep',
    setup: write('x.yaml', `phase: 9\ntitle: Deep\nfeatures:\n  x: &a [1]\n  y: ${'[*a, '.repeat(3000)}1${']'.repeat(3000)}\n`),
    rule: 'yaml-syntax',
    message: 'the document nests deeper than 64 levels',
  },
  {
    name: 'a 10 MB phase file',
    own: true,
    setup: (dir) => writeFileSync(join(dir, 'schema', 'x.yaml'), Buffer.alloc(10 * 1024 * 1024, '# padding\n')),
    rule: 'unreadable-file',
    message: 'schema/x.yaml is 10485760 bytes; phase files are limited to 1048576 bytes',
    at: 'schema/x.yaml:1:1',
  },
  {
    name: 'non-UTF-8 bytes (Latin-1)',
    setup: write('x.yaml', Buffer.concat([Buffer.from('phase: 9\ntitle: Caf'), Buffer.from([0xe9]), Buffer.from('\nfeatures: {}\n')])),
    rule: 'yaml-syntax',
    message: 'the file is not valid UTF-8',
    at: 'schema/x.yaml:2:11',
  },
  {
    name: 'a UTF-16 file',
    setup: write('x.yaml', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('phase: 9\ntitle: Notes\nfeatures: {}\n', 'utf16le')])),
    rule: 'yaml-syntax',
    message: 'the file is not valid UTF-8',
    at: 'schema/x.yaml:1:1',
  },
  {
    name: 'a NUL character in a value',
    setup: write('x.yaml', BASE.replace('title: Notes', 'title: "No\\0tes"')),
    rule: 'yaml-syntax',
    message: 'a NUL character (U+0000) is not allowed in a phase file',
    at: 'schema/x.yaml:2:8',
  },
  {
    name: 'tabs as indentation',
    setup: write('x.yaml', BASE.replace('          body:    { type: text }', '\t  body:    { type: text }')),
    rule: 'yaml-syntax',
    message: 'Tabs are not allowed as indentation',
    at: 'schema/x.yaml:10:1',
  },
  {
    name: 'a duplicate key',
    setup: write('x.yaml', BASE.replace('          body:    { type: text }', '          body:    { type: text }\n          body:    { type: jsonb }')),
    rule: 'duplicate-key',
    message: 'this key appears twice in the same mapping',
    at: 'schema/x.yaml:11:11',
  },
  {
    name: 'a duplicate key, once plain and once quoted',
    setup: write('x.yaml', BASE.replace('title: Notes', 'title: Notes\n"title": Other')),
    rule: 'duplicate-key',
    message: 'this key appears twice in the same mapping',
    at: 'schema/x.yaml:3:1',
  },
  {
    name: 'a column name with a double quote',
    setup: write('x.yaml', BASE.replace('          body:', '          "bo\\"dy":')),
    rule: 'invalid-identifier',
    message: 'column `bo"dy` is not a valid name',
    at: 'schema/x.yaml:10:11',
  },
  {
    name: 'a column name with a semicolon and a statement',
    setup: write('x.yaml', BASE.replace('          body:', '          "body; DROP TABLE auth.users":')),
    rule: 'invalid-identifier',
    message: 'column `body; DROP TABLE auth.users` is not a valid name',
    at: 'schema/x.yaml:10:11',
  },
  {
    name: 'a table name with a look-alike Cyrillic letter',
    setup: write('x.yaml', BASE.replace('      notes:', '      nоtes:')),
    rule: 'invalid-identifier',
    message: '`о` (U+043E) is not an ASCII letter',
    at: 'schema/x.yaml:6:7',
  },
  {
    name: 'a column name with a zero-width space',
    setup: write('x.yaml', BASE.replace('          body:', '          bo\u200bdy:')),
    rule: 'invalid-identifier',
    message: 'U+200B is not an ASCII letter',
    at: 'schema/x.yaml:10:11',
  },
  {
    name: 'a feature name with a look-alike Cyrillic letter',
    setup: write('x.yaml', BASE.replace('  notes:', '  nоtes:')),
    rule: 'invalid-identifier',
    message: 'feature `nоtes` is not a valid name',
    at: 'schema/x.yaml:4:3',
  },
  {
    name: 'a type with a look-alike Cyrillic letter',
    setup: write('x.yaml', withBody('{ type: tеxt }')),
    rule: 'invalid-type',
    message: '`е` (U+0435) is not an ASCII character',
    at: 'schema/x.yaml:10:29',
  },
  {
    name: 'a default calling a look-alike function',
    setup: write('x.yaml', BASE.replace('gen_random_uuid()', 'gen_random_uuіd()')),
    rule: 'invalid-expression',
    message: '`і` (U+0456) is not an ASCII character',
    at: 'schema/x.yaml:8:75',
  },
  {
    name: 'a no-break space in a check',
    setup: write('x.yaml', withBody('{ type: text, check: length(body)\u00a0< 10 }')),
    rule: 'invalid-expression',
    message: 'the check `length(body)\u00a0< 10`: (U+00A0) is not an ASCII character',
  },
  {
    name: 'a default carrying a line comment',
    setup: write('x.yaml', withBody(`{ type: text, default: "'x' -- a note" }`)),
    rule: 'invalid-expression',
    message: 'a comment is not allowed here',
    at: 'schema/x.yaml:10:43',
  },
  {
    name: 'a check carrying a block comment',
    setup: write('x.yaml', withBody('{ type: text, check: "length(body) < 10 /* short */" }')),
    rule: 'invalid-expression',
    message: 'a comment is not allowed here',
  },
  {
    name: 'a default with a second statement',
    setup: write('x.yaml', withBody(`{ type: text, default: "'x'; DROP TABLE auth.users" }`)),
    rule: 'invalid-expression',
    message: 'a semicolon ends a statement; only one expression is allowed here',
    at: 'schema/x.yaml:10:43',
  },
  {
    name: 'a default that closes the column definition and adds a statement',
    setup: write('x.yaml', withBody(`{ type: text, default: "'x'); DROP TABLE auth.users; --" }`)),
    rule: 'invalid-expression',
    message: 'this `)` closes a parenthesis that was never opened',
  },
  {
    name: 'a check that closes its own parenthesis',
    setup: write('x.yaml', withBody('{ type: text, check: "true) OR (true" }')),
    rule: 'invalid-expression',
    message: 'this `)` closes a parenthesis that was never opened',
  },
  {
    name: 'a default in dollar quotes',
    setup: write('x.yaml', withBody('{ type: text, default: "$$x$$" }')),
    rule: 'invalid-expression',
    message: 'dollar-quoted strings are not allowed here',
  },
  {
    name: 'a default in tagged dollar quotes followed by a statement',
    setup: write('x.yaml', withBody('{ type: text, default: "$q$x$q$; DROP TABLE auth.users" }')),
    rule: 'invalid-expression',
    message: 'dollar-quoted strings are not allowed here',
  },
  {
    name: 'a check with a subquery',
    setup: write('x.yaml', withBody('{ type: text, check: "body IN (SELECT email FROM auth.users)" }')),
    rule: 'invalid-expression',
    message: 'a subquery is not allowed in a check',
  },
  {
    name: 'a Unicode-escaped identifier in a default',
    setup: write('x.yaml', BASE.replace('gen_random_uuid()', 'U&"gen_random_uu\\0456d"()')),
    rule: 'invalid-expression',
    message: 'a quoted identifier with Unicode escapes (U&"...") is not allowed here',
  },
  {
    name: 'a key `__proto__` hiding an invalid column',
    setup: write('x.yaml', withBody('{ type: text }\n          __proto__: { nottype: text }')),
    rule: 'missing-key',
    message: '`__proto__` needs the key `type`',
  },
  {
    name: 'a symbolic link under schema/ to a file outside the repository',
    setup: (dir) => symlinkSync(join(outside, 'phase-9.yaml'), join(dir, 'schema', 'x.yaml')),
    rule: 'unreadable-file',
    message: /^schema\/x\.yaml is a symbolic link to .*, outside the project$/,
    at: 'schema/x.yaml:1:1',
  },
  {
    name: 'a symbolic link under schema/ to a directory outside the repository',
    setup: (dir) => symlinkSync(outside, join(dir, 'schema', 'elsewhere')),
    rule: 'unreadable-file',
    message: /^schema\/elsewhere is a symbolic link to .*, outside the project$/,
  },
  {
    name: 'a symbolic link to /dev/zero',
    own: true,
    setup: (dir) => symlinkSync('/dev/zero', join(dir, 'schema', 'x.yaml')),
    rule: 'unreadable-file',
    message: 'schema/x.yaml is a symbolic link to /dev/zero, outside the project',
  },
  {
    name: 'a named pipe under schema/',
    own: true,
    setup: (dir) => execFileSync('mkfifo', [join(dir, 'schema', 'x.yaml')]),
    rule: 'unreadable-file',
    message: 'schema/x.yaml is not a regular file (a pipe, a device or a socket)',
  },
  {
    name: 'a dangling symbolic link',
    setup: (dir) => symlinkSync(join(outside, 'missing.yaml'), join(dir, 'schema', 'x.yaml')),
    rule: 'unreadable-file',
    message: 'schema/x.yaml is a symbolic link whose target does not exist',
  },
  {
    name: 'terminal escape sequences on the line a diagnostic shows',
    setup: write('x.yaml', BASE.replace('    tables:', '    tablez: {}   # \u001b]0;pwned\u0007\u001b[2J\n    tables:')),
    rule: 'unknown-key',
    message: 'unknown key `tablez`',
  },
  {
    name: 'terminal escape sequences in a key a diagnostic names',
    setup: write('x.yaml', BASE.replace('    tables:', '    "\\e[2Jtablez": {}\n    tables:')),
    rule: 'unknown-key',
    message: 'unknown key `\\u001b[2Jtablez`',
  },
  {
    name: 'a 300 kB line with an error at its end',
    setup: write('x.yaml', `phase: 9\ntitle: Long\nfeatures: { ${Array.from({ length: 20_000 }, (_, i) => `f${i}: {}`).join(', ')}, x: [ }\n`),
    rule: 'yaml-syntax',
    message: /./,
  },
  {
    name: 'one mapping of 60,000 keys (650 kB)',
    setup: write('x.yaml', `phase: 9\ntitle: Wide\nfeatures: {}\nextra: { ${Array.from({ length: 60_000 }, (_, i) => `k${i}: 0`).join(', ')} }\n`),
    rule: 'unknown-key',
    message: 'unknown key `extra`',
    at: 'schema/x.yaml:4:1',
  },
  {
    name: 'CR-only line endings (classic Mac)',
    setup: write('x.yaml', BASE.replace(/\n/g, '\r')),
    rule: 'yaml-syntax',
    message: 'a line ends with a carriage return alone (classic Mac OS line endings), which is not read as a line break',
    at: 'schema/x.yaml:1:9',
  },
];

describe('hostile input ends in a diagnostic, exit 1, nothing written', () => {
  for (const c of REFUSED) {
    it(c.name, { timeout: HANG_GUARD_MS + 10_000 }, async () => {
      const p = copyProject();
      try {
        const before = snapshot(join(p.dir, 'out'));
        c.setup(p.dir);
        const r = await build(p.dir, !c.own);
        assertNoCrash(r);
        expect(r.status, r.stderr.slice(0, 2000)).toBe(1);
        expect(errorRules(r.stderr)).toContain(c.rule);
        const e = firstError(r.stderr, c.rule);
        if (typeof c.message === 'string') expect(e.message).toContain(c.message);
        else expect(e.message).toMatch(c.message);
        if (c.at) expect(e.at).toMatch(new RegExp(`^${c.at.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        expect(r.stderr).toContain('nothing written to out/');
        expect(r.stdout).toBe('');
        expect(snapshot(join(p.dir, 'out'))).toEqual(before);
        reportRows.push(`| ${c.name} | 1 | \`${c.rule}\` | \`\` ${e.message.replace(/\|/g, '\\|')} \`\` |`);
      } finally {
        p.cleanup();
      }
    });
  }
});

describe('input that looks hostile but is ordinary YAML builds', () => {
  const accepted: Array<{ name: string; text: string | Buffer }> = [
    { name: 'a UTF-8 byte-order mark', text: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BASE)]) },
    { name: 'CRLF line endings', text: BASE.replace(/\n/g, '\r\n') },
    { name: 'tabs between tokens (not as indentation)', text: BASE.replace('id:      {', 'id:\t{').replace('owner: user_id', 'owner:\tuser_id') },
    { name: 'text outside ASCII inside string literals and comments', text: withBody(`{ type: text, default: "'café – ☕'", comment: "Notiz für später" }`) },
  ];
  for (const c of accepted) {
    it(c.name, { timeout: HANG_GUARD_MS + 10_000 }, async () => {
      const p = copyProject();
      try {
        writeFileSync(join(p.dir, 'schema', 'x.yaml'), c.text);
        const r = await build(p.dir);
        assertNoCrash(r);
        expect(r.status, r.stderr.slice(0, 2000)).toBe(0);
        expect(r.stdout).toMatch(/^wrote out\/\d{14}_notes\.sql$/m);
        const file = /wrote (out\/\d{14}_notes\.sql)/.exec(r.stdout)![1]!;
        const sql = readFileSync(join(p.dir, file), 'utf8');
        expect(sql).not.toContain('\r');
        expect(sql).not.toContain('\uFEFF');
        expect(sql).toContain('CREATE TABLE IF NOT EXISTS public.notes (');
        reportRows.push(`| ${c.name} | 0 | (builds) | \`${file.replace(/\d{14}/, '<version>')}\` written |`);
      } finally {
        p.cleanup();
      }
    });
  }

  it('places diagnostics on the right line and column with a byte-order mark and CRLF', { timeout: 2 * HANG_GUARD_MS + 10_000 }, async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const cases: Array<{ text: string; rule: string; at: string; line: RegExp }> = [
      // Line 1 `phase: 9x`: the value is at column 8; the byte-order mark takes no column.
      { text: BASE.replace('phase: 9', 'phase: 9x'), rule: 'invalid-value', at: 'schema/x.yaml:1:8', line: /^1 \| phase: 9x$/m },
      // Line 10: the check's value starts at column 41; a CR is not a column either.
      {
        text: withBody('{ type: text, check: "length(body) < 10 -- short" }'),
        rule: 'invalid-expression',
        at: 'schema/x.yaml:10:41',
        line: /^10 \| {11}body: {4}\{ type: text, check: "length\(body\) < 10 -- short" \}$/m,
      },
    ];
    for (const c of cases) {
      const p = copyProject();
      try {
        writeFileSync(join(p.dir, 'schema', 'x.yaml'), Buffer.concat([bom, Buffer.from(c.text.replace(/\n/g, '\r\n'))]));
        const r = await build(p.dir);
        assertNoCrash(r);
        expect(r.status).toBe(1);
        expect(firstError(r.stderr, c.rule).at).toBe(c.at);
        expect(r.stderr).toMatch(c.line);
        expect(r.stderr).not.toContain('\uFEFF');
        expect(r.stderr).not.toContain('\r');
      } finally {
        p.cleanup();
      }
    }
  });

  it('keeps a file name with a line break out of the SQL (it stays inside the header comment)', { timeout: HANG_GUARD_MS + 10_000 }, async () => {
    const p = copyProject();
    try {
      mkdirSync(join(p.dir, 'schema', 'more'));
      writeFileSync(join(p.dir, 'schema', 'more', 'x\nDROP TABLE public.trips;\n--.yaml'), BASE);
      const r = await build(p.dir);
      assertNoCrash(r);
      expect(r.status).toBe(0);
      const file = /wrote (out\/\d{14}_notes\.sql)/.exec(r.stdout)![1]!;
      const sql = readFileSync(join(p.dir, file), 'utf8');
      expect(sql).toContain('-- source:       schema/more/x\\u000aDROP TABLE public.trips;\\u000a--.yaml\n');
      expect(sql).not.toMatch(/^DROP/m);
    } finally {
      p.cleanup();
    }
  });
});
