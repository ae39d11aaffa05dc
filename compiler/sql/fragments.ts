/**
 * Fragments: the pieces of SQL a spec may carry (types, defaults, checks,
 * index predicates), checked one by one before anything is emitted.
 *
 * Input: the fragment text and a loaded SqlParser. Output: the canonical form
 * (for types) or a problem with an offset into the fragment. A fragment must
 * be exactly one type or one expression: no comments, no semicolons, no
 * dollar-quoting, no second statement smuggled behind it.
 */
import type { SqlParser } from './parser.js';

/** FragmentProblem says what is wrong with a fragment, and where (offset into the fragment). */
export interface FragmentProblem {
  message: string;
  offset: number;
  hint: string;
}

/**
 * Finds comments, semicolons, dollar quotes, parentheses that do not pair
 * up, and characters outside ASCII, outside string literals. A fragment is
 * spliced into SQL between parentheses, so `x) OR (y` would not be the one
 * expression it seems; a look-alike letter from another alphabet (Cyrillic
 * `а` for `a`) would make `nоw()` or `tеxt` name something else entirely.
 */
export function lexProblem(text: string): FragmentProblem | null {
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e') && !/[a-z0-9_]/i.test(text[i - 2] ?? '');
      if (ch === '"' && text[i - 1] === '&' && (text[i - 2] === 'U' || text[i - 2] === 'u')) {
        return { message: 'a quoted identifier with Unicode escapes (U&"...") is not allowed here', offset: i - 2, hint: 'write names in plain ASCII' };
      }
      let j = i + 1;
      for (; j < text.length; j++) {
        if (escapes && text[j] === '\\') {
          j++;
          continue;
        }
        if (text[j] === ch) {
          if (text[j + 1] === ch) {
            j++;
            continue;
          }
          break;
        }
        if (ch === '"' && text.charCodeAt(j) > 0x7f) return nonAscii(text, j);
        if (ch === "'" && text[j] === '\\') return backslash(j);
      }
      if (j >= text.length) return { message: `unterminated ${ch === "'" ? 'string literal' : 'quoted identifier'}`, offset: i, hint: `close it with ${ch}` };
      i = j;
      continue;
    }
    if (ch === '-' && next === '-')
      return { message: 'a comment is not allowed here', offset: i, hint: 'remove the comment; use the `comment:` key to document a column' };
    if (ch === '/' && next === '*')
      return { message: 'a comment is not allowed here', offset: i, hint: 'remove the comment; use the `comment:` key to document a column' };
    if (ch === ';')
      return { message: 'a semicolon ends a statement; only one expression is allowed here', offset: i, hint: 'remove the semicolon and everything after it' };
    if (ch === '$' && !/[a-z0-9_]/i.test(text[i - 1] ?? '')) {
      const m = /^\$([a-z_][a-z0-9_]*)?\$/i.exec(text.slice(i));
      if (m) return { message: 'dollar-quoted strings are not allowed here', offset: i, hint: "write a standard string literal: 'text', with '' for a quote" };
    }
    if (ch === '(') open.push(i);
    if (ch === ')' && open.pop() === undefined)
      return { message: 'this `)` closes a parenthesis that was never opened', offset: i, hint: 'write exactly one expression, with its parentheses in pairs' };
    if (text.charCodeAt(i) > 0x7f) return nonAscii(text, i);
  }
  const unclosed = open.pop();
  if (unclosed !== undefined)
    return { message: 'this `(` is never closed', offset: unclosed, hint: 'write exactly one expression, with its parentheses in pairs' };
  return null;
}

/** A backslash in a standard string: where standard_conforming_strings is off, it escapes the next character, so the string could end elsewhere. */
function backslash(at: number): FragmentProblem {
  return {
    message: 'a backslash in a string literal means something else on a server with standard_conforming_strings off',
    offset: at,
    hint: "write an escape string, E'...', with \\\\ for each backslash: it means the same on every server",
  };
}

function nonAscii(text: string, at: number): FragmentProblem {
  const code = text.codePointAt(at)!;
  const ch = String.fromCodePoint(code);
  // An invisible character (a no-break or zero-width space) is named by its code point only.
  const shown = /[\s\p{C}]/u.test(ch) ? '' : `\`${ch}\` `;
  return {
    message: `${shown}(U+${code.toString(16).toUpperCase().padStart(4, '0')}) is not an ASCII character; outside a string literal, SQL here is plain ASCII`,
    offset: at,
    hint: 'retype it in ASCII: a letter from another alphabet that looks like a Latin one is a different name to PostgreSQL; text with other characters goes in a string literal',
  };
}

const ALLOWED_SELECT_KEYS = new Set(['targetList', 'limitOption', 'op']);

/**
 * Each fragment's facts, by text, per parser: a spec repeats the same few
 * types and defaults across its tables, and each is a pure function of its text.
 */
const memos = new WeakMap<SqlParser, Map<string, unknown>>();

function cached<T>(parser: SqlParser, key: string, compute: () => T): T {
  let memo = memos.get(parser);
  if (!memo) memos.set(parser, (memo = new Map()));
  if (!memo.has(key)) memo.set(key, compute());
  return memo.get(key) as T;
}

function singleTarget(parser: SqlParser, wrapped: string, prefixLength: number, what: string): { value: Record<string, unknown> } | FragmentProblem {
  const result = parser.parse(wrapped);
  if (!result.ok) {
    const offset = Math.max(0, Math.min((result.error.offset ?? prefixLength) - prefixLength, wrapped.length - prefixLength - 1));
    return { message: `${what} does not parse: ${result.error.message}`, offset, hint: `write a single PostgreSQL ${what}` };
  }
  const value = singleValue(result.statements);
  if (value === null) return { message: `this is not a single ${what}`, offset: 0, hint: `write exactly one ${what}, with nothing around it` };
  return { value };
}

/** The one target of `SELECT <value>`, or null when the statements are anything more. */
function singleValue(statements: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> | null {
  const stmt = statements[0] as { SelectStmt?: Record<string, unknown> } | undefined;
  const select = stmt?.SelectStmt;
  const targets = select?.targetList as Array<{ ResTarget: { val: Record<string, unknown> } }> | undefined;
  if (statements.length !== 1 || !select || !targets || targets.length !== 1 || Object.keys(select).some((k) => !ALLOWED_SELECT_KEYS.has(k))) return null;
  return targets[0]!.ResTarget.val;
}

/** What the parser says about one expression, whatever it is used as: one parse per distinct text. */
export interface ExpressionFacts {
  /** The parse error, its offset already relative to the expression. */
  error: { message: string; offset: number } | null;
  /** Exactly one expression, with nothing around it. */
  single: boolean;
  /** It contains a subquery. */
  subquery: boolean;
  /** Unqualified column names, in order of appearance. */
  refs: readonly string[];
}

const EXPRESSION_PREFIX = 'SELECT (';

/** The facts of an expression, from its own parse (once per distinct text). */
export function expressionFacts(parser: SqlParser, text: string): ExpressionFacts {
  return cached(parser, `expr\0${text}`, () => {
    const wrapped = `${EXPRESSION_PREFIX}${text}\n)`;
    const result = parser.parse(wrapped);
    if (!result.ok) {
      const p = EXPRESSION_PREFIX.length;
      const offset = Math.max(0, Math.min((result.error.offset ?? p) - p, wrapped.length - p - 1));
      return { error: { message: result.error.message, offset }, single: false, subquery: false, refs: [] };
    }
    const target = singleValue(result.statements);
    const found = treeFacts(result.statements);
    return { error: null, single: target !== null, subquery: target !== null && found.subquery, refs: found.refs };
  });
}

/** The parse tree of an expression (the one target of `SELECT (<text>)`), or null when the text is not exactly one expression. */
export function expressionTree(parser: SqlParser, text: string): Record<string, unknown> | null {
  const result = parser.parse(`${EXPRESSION_PREFIX}${text}\n)`);
  return result.ok ? singleValue(result.statements) : null;
}

/** Names of the columns an expression refers to (unqualified ColumnRefs), in order of appearance. */
export function columnRefs(parser: SqlParser, text: string): string[] {
  return [...expressionFacts(parser, text).refs];
}

/** In one walk of a parse tree: the last names of its ColumnRefs, in order of appearance, and whether it holds a subquery (SubLink). */
function treeFacts(tree: unknown): { refs: string[]; subquery: boolean } {
  const refs: string[] = [];
  let subquery = false;
  const walk = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const item of node) walk(item);
      return;
    }
    const record = node as Record<string, unknown>;
    for (const key in record) {
      const value = record[key];
      if (key === 'ColumnRef') {
        const fields = (value as { fields?: Array<{ String?: { sval: string } }> }).fields ?? [];
        const last = fields[fields.length - 1]?.String?.sval;
        if (last !== undefined && !refs.includes(last)) refs.push(last);
        continue;
      }
      if (key === 'SubLink') subquery = true;
      walk(value);
    }
  };
  walk(tree);
  return { refs, subquery };
}

/** Checks one SQL expression (a default, a check, an index predicate). */
export function checkExpression(parser: SqlParser, text: string, what: string, { subqueries = false }: { subqueries?: boolean } = {}): FragmentProblem | null {
  if (text.trim() === '') return { message: `the ${what} is empty`, offset: 0, hint: `write a PostgreSQL ${what}` };
  const lex = lexProblem(text);
  if (lex) return lex;
  const facts = expressionFacts(parser, text);
  if (facts.error) return { message: `${what} does not parse: ${facts.error.message}`, offset: facts.error.offset, hint: `write a single PostgreSQL ${what}` };
  if (!facts.single) return { message: `this is not a single ${what}`, offset: 0, hint: `write exactly one ${what}, with nothing around it` };
  if (facts.subquery && !subqueries) {
    return {
      message: `a subquery is not allowed in a ${what}`,
      offset: 0,
      hint: 'PostgreSQL rejects subqueries in defaults and checks; use a plain expression',
    };
  }
  return null;
}

/** TypeFacts is what the parser says of a type: its canonical spelling, and its name (`int4`; `public.mood`), without pg_catalog. */
export interface TypeFacts {
  canonical: string;
  name: string[];
}

/** Checks a type name and returns its canonical spelling (int → int4, timestamp with time zone → timestamptz) and name. */
export function checkType(parser: SqlParser, text: string): TypeFacts | FragmentProblem {
  return cached(parser, `type\0${text}`, () => findType(parser, text));
}

function findType(parser: SqlParser, text: string): TypeFacts | FragmentProblem {
  if (text.trim() === '') return { message: 'the type is empty', offset: 0, hint: 'write a PostgreSQL type, such as text or uuid' };
  const lex = lexProblem(text);
  if (lex) return lex;
  const prefix = 'SELECT NULL::';
  const result = singleTarget(parser, `${prefix}${text}\n`, prefix.length, 'type');
  if ('message' in result) return result;
  const cast = result.value.TypeCast as { arg?: { A_Const?: { isnull?: boolean } }; typeName?: TypeNameNode } | undefined;
  if (!cast?.typeName || !cast.arg?.A_Const?.isnull)
    return { message: 'this is not a type name', offset: 0, hint: 'write a PostgreSQL type, such as text or uuid' };
  const name = (cast.typeName.names ?? []).map((n) => n.String?.sval ?? '?');
  if (name[0] === 'pg_catalog' && name.length > 1) name.shift();
  return { canonical: canonicalType(name, cast.typeName), name };
}

interface TypeNameNode {
  names?: Array<{ String?: { sval: string } }>;
  typmods?: Array<Record<string, unknown>>;
  arrayBounds?: unknown[];
  setof?: boolean;
  pct_type?: boolean;
}

function canonicalType(names: readonly string[], node: TypeNameNode): string {
  const mods = (node.typmods ?? []).map((m) => JSON.stringify(m).replace(/"location":\d+,?/g, ''));
  return `${names.join('.')}${mods.length ? `(${mods.join(',')})` : ''}${'[]'.repeat(node.arrayBounds?.length ?? 0)}`;
}
