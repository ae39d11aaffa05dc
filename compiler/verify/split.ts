/**
 * Statements of a migration file, as PostgreSQL's parser delimits them
 * (../sql/parser statements): where each one starts and ends, so that a file
 * is applied statement by statement, an error is pinned to its statement,
 * and transaction control is found in the parse tree rather than the text.
 *
 * Input: SQL text and the loaded parser. Output: SplitMigration (the file
 * with its statements, UTF-16 offsets) or SplitProblem (the file does not
 * parse, or controls transactions itself). Pure: no database.
 */
import { LineIndex, type Position } from '../report/diagnostic.js';
import type { SqlParser, SqlStatement } from '../sql/parser.js';
import type { MigrationFile } from './expected.js';

/** StatementRange is one statement of a text: [start, end) including its semicolon; `code` is where its first token begins. */
export interface StatementRange {
  start: number;
  end: number;
  code: number;
}

/** SplitMigration is a migration file and its statements, in order. */
export interface SplitMigration {
  file: MigrationFile;
  statements: SqlStatement[];
}

/** SplitProblem is why a file cannot be applied statement by statement: where, and what. */
export interface SplitProblem {
  file: MigrationFile;
  /** UTF-16 offset into the file's text. */
  offset: number;
  /** The statement at fault, when there is one (transaction control); null for a parse error. */
  statement: StatementRange | null;
  code: string;
  message: string;
  hint: string | null;
}

/** SQLSTATE syntax_error, for a file PostgreSQL's parser rejects. */
export const SYNTAX_ERROR = '42601';
/** SQLSTATE invalid_transaction_state, for a file that begins or ends transactions itself. */
export const TRANSACTION_CONTROL = '25000';

/**
 * Splits a migration into statements. A file the parser rejects cannot be
 * split, and a file with BEGIN, COMMIT, SAVEPOINT and the like would end or
 * nest the transaction verify works in: both are problems of the file.
 */
export function splitMigration(parser: SqlParser, file: MigrationFile): { ok: true; migration: SplitMigration } | { ok: false; problem: SplitProblem } {
  const parsed = parser.statements(file.text);
  if (!parsed.ok) {
    const problem = { file, offset: parsed.error.offset ?? 0, statement: null, code: SYNTAX_ERROR, message: parsed.error.message, hint: null };
    return { ok: false, problem };
  }
  const control = transactionControl(parsed.statements);
  if (control) {
    const message = 'the migration controls transactions itself; verify runs every migration inside one transaction that it rolls back';
    return {
      ok: false,
      problem: { file, offset: control.code, statement: control, code: TRANSACTION_CONTROL, message, hint: 'remove BEGIN/COMMIT from the file' },
    };
  }
  return { ok: true, migration: { file, statements: parsed.statements } };
}

/** The first statement that would end or nest the transaction verify runs in (BEGIN, COMMIT, SAVEPOINT, PREPARE TRANSACTION, ...), if any. */
export function transactionControl(statements: readonly SqlStatement[]): SqlStatement | null {
  return statements.find((s) => 'TransactionStmt' in s.stmt) ?? null;
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

/** The line of `text` at `offset`, shortened for messages (for a file that has no statements to show). */
export function lineAt(text: string, offset: number, width = 100): string {
  const from = text.lastIndexOf('\n', offset - 1) + 1;
  const to = text.indexOf('\n', offset);
  const line = text.slice(from, to === -1 ? text.length : to).trim();
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
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
