/**
 * Statements of a migration file, found lexically: where each one starts and
 * ends, so that an error PostgreSQL reports for the whole file can be pinned
 * to one statement, and a file can be replayed statement by statement.
 *
 * Input: SQL text. Output: StatementRange[] (UTF-16 offsets). The lexer knows
 * what can hide a semicolon: '...' and E'...' strings, "..." identifiers,
 * $tag$...$tag$ bodies, -- and (nested) block comments.
 */
import { LineIndex, type Position } from '../report/diagnostic.js';

/** StatementRange is one statement of a text: [start, end) including its semicolon; `code` is where its first token begins. */
export interface StatementRange {
  start: number;
  end: number;
  code: number;
}

/** Splits `text` into statements; pieces that hold only comments and blanks are left out. */
export function splitStatements(text: string): StatementRange[] {
  const out: StatementRange[] = [];
  let start = 0;
  let code = -1;
  let i = 0;
  const n = text.length;
  const finish = (end: number): void => {
    if (code >= 0) out.push({ start, end, code });
    start = end;
    code = -1;
  };
  while (i < n) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '-' && next === '-') {
      const nl = text.indexOf('\n', i);
      i = nl === -1 ? n : nl + 1;
      continue;
    }
    if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (text[i] === '/' && text[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (text[i] === '*' && text[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (code < 0) code = i;
    if (c === ';') {
      finish(i + 1);
      i++;
      continue;
    }
    if (c === "'") {
      const escapes = i > 0 && /[eE]/.test(text[i - 1]!) && (i < 2 || !/[A-Za-z0-9_$]/.test(text[i - 2]!));
      i = skipQuoted(text, i, "'", escapes);
      continue;
    }
    if (c === '"') {
      i = skipQuoted(text, i, '"', false);
      continue;
    }
    if (c === '$') {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i, i + 65));
      const prev = i > 0 ? text[i - 1]! : ' ';
      if (tag && !/[A-Za-z0-9_$]/.test(prev)) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close === -1 ? n : close + tag[0].length;
        continue;
      }
    }
    i++;
  }
  if (code >= 0) out.push({ start, end: n, code });
  return out;
}

function skipQuoted(text: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (backslashEscapes && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    i++;
  }
  return text.length;
}

/** The statement that contains `offset`, or the last one before it. */
export function statementAt(statements: readonly StatementRange[], offset: number): StatementRange | null {
  let found: StatementRange | null = null;
  for (const s of statements) {
    if (s.start <= offset) found = s;
    if (offset < s.end) break;
  }
  return found;
}

/** The first line of a statement's code, shortened for messages. */
export function statementHead(text: string, s: StatementRange, width = 100): string {
  const body = text.slice(s.code, s.end);
  const line = body.split(/\r?\n/)[0]!.trim();
  const more = line.length < body.trim().length;
  if (line.length > width) return `${line.slice(0, width - 1)}…`;
  return more ? `${line} …` : line;
}

/**
 * Converts PostgreSQL's error position (1-based, counted in characters, i.e.
 * code points) into a 0-based UTF-16 offset of `text`.
 */
export function offsetOfPosition(text: string, position: number): number {
  let chars = 0;
  let i = 0;
  while (i < text.length && chars < position - 1) {
    const code = text.codePointAt(i) ?? 0;
    i += code >= 0x10000 ? 2 : 1;
    chars++;
  }
  return i;
}

/** Line and column (1-based) of an offset. */
export function positionOf(text: string, offset: number): Position {
  return new LineIndex(text).position(offset);
}

const TRANSACTION_CONTROL = /^(begin|commit|rollback|abort|end|start\s+transaction|savepoint|release|prepare\s+transaction)\b/i;

/** The first statement that would end or nest the transaction verify runs in (BEGIN, COMMIT, ...), if any. */
export function transactionControl(text: string): StatementRange | null {
  return splitStatements(text).find((s) => TRANSACTION_CONTROL.test(text.slice(s.code, s.end))) ?? null;
}
