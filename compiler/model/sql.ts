/**
 * A feature's `sql:` file: where it is, its text, and its statements.
 *
 * Input: the `sql:` entry of a feature (a path relative to the phase file,
 * or in a lock snapshot `{ sha256 }`), the SQL files the shell read under the
 * schema directory (SqlSources), the parser. Output: a SqlPart, and the facts
 * of the path and of the text (judged by invalid-sql-path and invalid-sql).
 * Each statement is read for what it does (../sql/classify.ts), the
 * statements inside DO blocks too; the fold judges them (../diff/sql.ts).
 */
import { posix } from 'node:path';
import type { Span } from '../report/diagnostic.js';
import { entry, type LEntry } from '../load/index.js';
import { sha256 } from '../lock/hash.js';
import { classify } from '../sql/classify.js';
import type { SqlStatement } from '../sql/parser.js';
import type { SqlItem, SqlPart } from './types.js';
import { str } from './columns.js';
import type { Reader } from './reader.js';

/** SqlSources is what the shell read for SQL features: every .sql file under the schema directory. */
export interface SqlSources {
  /** The schema directory as paths are shown (`schema`); `sql:` paths must stay inside it. */
  dir: string;
  /** Every .sql file under it, by path as shown (`schema/sql/handle_new_user.sql`). */
  files: ReadonlyMap<string, string>;
}

/** No SQL files: for readers of lock snapshots, and for inputs that have none. */
export const NO_SQL: SqlSources = { dir: '.', files: new Map() };

/** Where a `sql:` path leads from the phase file (`schema/phase-3.yaml`), as paths are shown; an absolute path stays as it is. */
export function resolveSqlPath(phaseFile: string, written: string): string {
  if (posix.isAbsolute(written)) return written;
  return posix.normalize(posix.join(posix.dirname(phaseFile), written));
}

/** Reads the `sql:` entry of a feature (the diagnostics say what is wrong with it). */
export function readSql(reader: Reader, e: LEntry, phaseFile: string): SqlPart {
  const node = e.value;
  if (node.kind === 'map') {
    // A lock snapshot keeps the file's hash only.
    const hash = str(entry(node, 'sha256')?.value) ?? '';
    return { path: { value: '', span: e.keySpan }, file: '', text: null, sha256: hash, statements: [] };
  }
  const written = str(node) ?? '';
  const { dir, files } = reader.sql;
  const resolved = resolveSqlPath(phaseFile, written);
  const text = files.get(resolved);
  const fact = { kind: 'sql-path', span: node.span, written, resolved, dir, found: text !== undefined, files: [...files.keys()] } as const;
  const path = { value: written, span: node.span };
  // A file that cannot be read leaves the part without its text: the build stops on the path, and history does not guess at an edit.
  if (!reader.accept(fact) || text === undefined) return { path, file: resolved, text: null, sha256: '', statements: [] };
  return { path, file: resolved, text, sha256: sha256(text), statements: readStatements(reader, resolved, text) };
}

function readStatements(reader: Reader, file: string, text: string): SqlItem[] {
  const parsed = reader.parser.statements(text);
  if (!parsed.ok) {
    const at = parsed.error.offset ?? 0;
    reader.accept({ kind: 'sql-text', span: { file, start: at, end: at + 1 }, file, problem: 'syntax', message: parsed.error.message });
    return [];
  }
  if (parsed.statements.length === 0) {
    reader.accept({ kind: 'sql-text', span: { file, start: 0, end: 0 }, file, problem: 'empty', message: '' });
    return [];
  }
  const items: SqlItem[] = [];
  for (const s of parsed.statements) {
    const actions = classify(s.stmt);
    items.push({ span: { file, start: s.code, end: s.end }, actions, inBlock: false });
    const block = actions.find((a) => a.kind === 'block');
    if (block) items.push(...blockStatements(reader, file, text, s, block.language));
  }
  return items;
}

/** What a PL/pgSQL tree runs: its SQL statements, in order, and whether it runs SQL built at run time (EXECUTE). */
function blockSql(tree: unknown, out: { queries: string[]; dynamic: boolean }): typeof out {
  if (Array.isArray(tree)) for (const x of tree) blockSql(x, out);
  else if (tree && typeof tree === 'object') {
    for (const [k, v] of Object.entries(tree as Record<string, unknown>)) {
      if (k === 'PLpgSQL_stmt_dynexecute' || k === 'PLpgSQL_stmt_dynfors' || k === 'dynquery') out.dynamic = true;
      if (k === 'PLpgSQL_stmt_execsql') {
        const query = (v as { sqlstmt?: { PLpgSQL_expr?: { query?: unknown } } }).sqlstmt?.PLpgSQL_expr?.query;
        if (typeof query === 'string') out.queries.push(query);
      }
      blockSql(v, out);
    }
  }
  return out;
}

/**
 * The statements a DO block runs, each located where its text is in the
 * file (the block itself when it cannot be found). A block pamc cannot read
 * through (another language, EXECUTE of a string) is a fact of its own.
 */
function blockStatements(reader: Reader, file: string, text: string, s: SqlStatement, language: string): SqlItem[] {
  const span: Span = { file, start: s.code, end: s.end };
  const problem = (kind: 'language' | 'dynamic' | 'syntax', message: string): SqlItem[] => {
    reader.accept({ kind: 'sql-text', span, file, problem: kind, message });
    return [];
  };
  if (language !== 'plpgsql') return problem('language', language);
  const tree = reader.parser.plpgsql(text.slice(s.code, s.end));
  if (!tree.ok) return problem('syntax', tree.error.message);
  const { queries, dynamic } = blockSql(tree.functions, { queries: [], dynamic: false });
  if (dynamic) return problem('dynamic', '');
  const items: SqlItem[] = [];
  let cursor = s.code;
  for (const query of queries) {
    const parsed = reader.parser.statements(query);
    if (!parsed.ok) continue;
    const at = text.indexOf(query, cursor);
    const found = at >= 0 && at < s.end;
    if (found) cursor = at + query.length;
    for (const inner of parsed.statements) {
      const where = found ? { file, start: at + inner.code, end: at + inner.end } : span;
      items.push({ span: where, actions: classify(inner.stmt), inBlock: true });
    }
  }
  return items;
}
