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

/** Finds comments, semicolons and dollar quotes outside string literals and quoted identifiers. */
export function lexProblem(text: string): FragmentProblem | null {
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    const next = text[i + 1];
    if (ch === "'" || ch === '"') {
      const escapes = ch === "'" && (text[i - 1] === 'E' || text[i - 1] === 'e') && !/[a-z0-9_]/i.test(text[i - 2] ?? '');
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
      }
      if (j >= text.length) return { message: `unterminated ${ch === "'" ? 'string literal' : 'quoted identifier'}`, offset: i, hint: `close it with ${ch}` };
      i = j;
      continue;
    }
    if (ch === '-' && next === '-') return { message: 'a comment is not allowed here', offset: i, hint: 'remove the comment; use the `comment:` key to document a column' };
    if (ch === '/' && next === '*') return { message: 'a comment is not allowed here', offset: i, hint: 'remove the comment; use the `comment:` key to document a column' };
    if (ch === ';') return { message: 'a semicolon ends a statement; only one expression is allowed here', offset: i, hint: 'remove the semicolon and everything after it' };
    if (ch === '$' && !/[a-z0-9_]/i.test(text[i - 1] ?? '')) {
      const m = /^\$([a-z_][a-z0-9_]*)?\$/i.exec(text.slice(i));
      if (m) return { message: 'dollar-quoted strings are not allowed here', offset: i, hint: "write a standard string literal: 'text', with '' for a quote" };
    }
  }
  return null;
}

const ALLOWED_SELECT_KEYS = new Set(['targetList', 'limitOption', 'op']);

function singleTarget(parser: SqlParser, wrapped: string, prefixLength: number, what: string): { value: Record<string, unknown> } | FragmentProblem {
  const result = parser.parse(wrapped);
  if (!result.ok) {
    const offset = Math.max(0, Math.min((result.error.offset ?? prefixLength) - prefixLength, wrapped.length - prefixLength - 1));
    return { message: `${what} does not parse: ${result.error.message}`, offset, hint: `write a single PostgreSQL ${what}` };
  }
  const stmt = result.statements[0] as { SelectStmt?: Record<string, unknown> } | undefined;
  const select = stmt?.SelectStmt;
  const targets = select?.targetList as Array<{ ResTarget: { val: Record<string, unknown> } }> | undefined;
  if (result.statements.length !== 1 || !select || !targets || targets.length !== 1 || Object.keys(select).some((k) => !ALLOWED_SELECT_KEYS.has(k))) {
    return { message: `this is not a single ${what}`, offset: 0, hint: `write exactly one ${what}, with nothing around it` };
  }
  return { value: targets[0]!.ResTarget.val };
}

/** Names of the columns an expression refers to (unqualified ColumnRefs), in order of appearance. */
export function columnRefs(parser: SqlParser, text: string): string[] {
  const result = parser.parse(`SELECT (${text}\n)`);
  if (!result.ok) return [];
  const names: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'ColumnRef') {
          const fields = (value as { fields?: Array<{ String?: { sval: string } }> }).fields ?? [];
          const last = fields[fields.length - 1]?.String?.sval;
          if (last !== undefined && !names.includes(last)) names.push(last);
        } else walk(value);
      }
    }
  };
  walk(result.statements);
  return names;
}

/** Checks one SQL expression (a default, a check, an index predicate). */
export function checkExpression(parser: SqlParser, text: string, what: string): FragmentProblem | null {
  if (text.trim() === '') return { message: `the ${what} is empty`, offset: 0, hint: `write a PostgreSQL ${what}` };
  const lex = lexProblem(text);
  if (lex) return lex;
  const prefix = 'SELECT (';
  const result = singleTarget(parser, `${prefix}${text}\n)`, prefix.length, what);
  if ('message' in result) return result;
  if (JSON.stringify(result.value).includes('"SubLink"')) {
    return { message: `a subquery is not allowed in a ${what}`, offset: 0, hint: 'PostgreSQL rejects subqueries in defaults and checks; use a plain expression' };
  }
  return null;
}

/** Checks a type name and returns its canonical spelling (int → int4, timestamp with time zone → timestamptz). */
export function checkType(parser: SqlParser, text: string): { canonical: string } | FragmentProblem {
  if (text.trim() === '') return { message: 'the type is empty', offset: 0, hint: 'write a PostgreSQL type, such as text or uuid' };
  const lex = lexProblem(text);
  if (lex) return lex;
  const prefix = 'SELECT NULL::';
  const result = singleTarget(parser, `${prefix}${text}\n`, prefix.length, 'type');
  if ('message' in result) return result;
  const cast = result.value.TypeCast as { arg?: { A_Const?: { isnull?: boolean } }; typeName?: TypeNameNode } | undefined;
  if (!cast?.typeName || !cast.arg?.A_Const?.isnull) return { message: 'this is not a type name', offset: 0, hint: 'write a PostgreSQL type, such as text or uuid' };
  return { canonical: canonicalType(cast.typeName) };
}

interface TypeNameNode {
  names?: Array<{ String?: { sval: string } }>;
  typmods?: Array<Record<string, unknown>>;
  arrayBounds?: unknown[];
  setof?: boolean;
  pct_type?: boolean;
}

function canonicalType(node: TypeNameNode): string {
  const names = (node.names ?? []).map((n) => n.String?.sval ?? '?');
  if (names[0] === 'pg_catalog' && names.length > 1) names.shift();
  const mods = (node.typmods ?? []).map((m) => JSON.stringify(m).replace(/"location":\d+,?/g, ''));
  return `${names.join('.')}${mods.length ? `(${mods.join(',')})` : ''}${'[]'.repeat(node.arrayBounds?.length ?? 0)}`;
}
