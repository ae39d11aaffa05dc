/**
 * The real PostgreSQL parser (libpg_query compiled to WebAssembly), wrapped.
 *
 * Input: SQL text. Output: parse trees, or the error PostgreSQL's parser
 * reports with its offset. The wrapper is a pure function of its input once
 * loaded; loading is asynchronous because the WebAssembly module is.
 */
import pgQuery from 'pg-query-emscripten/pg_query_wasm.js';
import { baselineOnly } from '../wasm.js';

/** ParseError is a PostgreSQL syntax error at a character offset of the text parsed. */
export interface ParseError {
  message: string;
  /** 0-based offset into the text, or null when PostgreSQL gave none. */
  offset: number | null;
}

/** ParseResult is the statements of a text, or the error that stopped the parser. */
export type ParseResult = { ok: true; statements: Array<Record<string, unknown>> } | { ok: false; error: ParseError };

/**
 * SqlStatement is one statement of a text, as PostgreSQL's parser delimits it, in UTF-16 offsets of the text:
 * [start, end) runs from the end of the statement before it (so it includes the blanks and comments in
 * between) to the end of its semicolon (or of its last token, when it has none); `code` is where its first
 * token begins. `stmt` is its parse tree (one node, e.g. `{ CreateStmt: {...} }`).
 */
export interface SqlStatement {
  start: number;
  end: number;
  code: number;
  stmt: Record<string, unknown>;
}

/** StatementsResult is the statements of a text, or the error that stopped the parser. */
export type StatementsResult = { ok: true; statements: SqlStatement[] } | { ok: false; error: ParseError };

/** SqlParser is the loaded parser. */
export interface SqlParser {
  parse(sql: string): ParseResult;
  /** Whether `sql` parses: the error, or null. Cheaper than parse: no tree is built in JavaScript. */
  check(sql: string): ParseError | null;
  /** Where each statement of `sql` begins and ends, with its parse tree; a text the parser rejects has none. */
  statements(sql: string): StatementsResult;
  /** The PL/pgSQL trees of the functions and DO blocks of `sql` (PL/pgSQL's own parser, as PostgreSQL runs it). */
  plpgsql(sql: string): PlpgsqlResult;
}

/** PlpgsqlResult is one tree per PL/pgSQL function or DO block of a text (`{ PLpgSQL_function: {...} }`), or the error. */
export type PlpgsqlResult = { ok: true; functions: Array<Record<string, unknown>> } | { ok: false; error: ParseError };

interface RawParseResult {
  parse_tree: string;
  error: { message: string; cursorpos: number };
}

/** A token of raw_scan: byte offsets into the UTF-8 text, and its kind (SQL_COMMENT and C_COMMENT for comments). */
interface RawToken {
  start: number;
  end: number;
  token_kind: string;
}

interface PgQueryModule {
  allocate(slab: Uint8Array, allocator: number): number;
  _free(pointer: number): void;
  raw_parse(pointer: number): RawParseResult;
  raw_fingerprint(pointer: number): { error: { message: string; cursorpos: number } };
  raw_parse_plpgsql(pointer: number): { plpgsql_funcs: string; error: { message: string; cursorpos: number } };
  raw_scan(pointer: number): { tokens: { size(): number; get(i: number): RawToken; delete?(): void }; error: { message: string; cursorpos: number } };
}

/** A statement of the raw parse tree: byte offset and length into the UTF-8 text (both left out when 0; a length of 0 runs to the end). */
interface RawStmt {
  stmt: Record<string, unknown>;
  stmt_location?: number;
  stmt_len?: number;
}

/** Emscripten's ALLOC_NORMAL: malloc, freed by us after the call. */
const ALLOC_NORMAL = 0;
const encoder = new TextEncoder();

/**
 * Parses through the raw entry point. The module's own `parse` copies every
 * text onto the WebAssembly stack and never pops it, so a long build would
 * exhaust the stack; here the text lives on the heap and is freed at once.
 */
function rawParse(module: PgQueryModule, sql: string): { stmts: RawStmt[]; error: { message: string; cursorpos: number } | null } {
  const bytes = encoder.encode(`${sql}\0`);
  const pointer = module.allocate(bytes, ALLOC_NORMAL);
  try {
    const raw = module.raw_parse(pointer);
    if (raw.error.message !== '') return { stmts: [], error: { message: raw.error.message, cursorpos: raw.error.cursorpos } };
    const tree = JSON.parse(raw.parse_tree) as { stmts?: RawStmt[] };
    return { stmts: tree.stmts ?? [], error: null };
  } finally {
    module._free(pointer);
  }
}

/**
 * Checks through the fingerprint entry point: the same PostgreSQL parser and
 * the same errors as raw_parse, but what crosses back into JavaScript is a
 * short hash instead of the whole tree as JSON.
 */
function rawCheck(module: PgQueryModule, sql: string): { message: string; cursorpos: number } | null {
  const bytes = encoder.encode(`${sql}\0`);
  const pointer = module.allocate(bytes, ALLOC_NORMAL);
  try {
    const raw = module.raw_fingerprint(pointer);
    return raw.error.message !== '' ? { message: raw.error.message, cursorpos: raw.error.cursorpos } : null;
  } finally {
    module._free(pointer);
  }
}

/** PL/pgSQL trees through the raw entry point, the text on the heap like rawParse. */
function rawPlpgsql(module: PgQueryModule, sql: string): PlpgsqlResult {
  const bytes = encoder.encode(`${sql}\0`);
  const pointer = module.allocate(bytes, ALLOC_NORMAL);
  try {
    const raw = module.raw_parse_plpgsql(pointer);
    if (raw.error.message !== '') return { ok: false, error: parseError(sql, raw.error) };
    return { ok: true, functions: JSON.parse(raw.plpgsql_funcs) as Array<Record<string, unknown>> };
  } finally {
    module._free(pointer);
  }
}

/** The tokens of a text that are not comments, through the scanner PostgreSQL's parser uses (byte offsets). */
function rawTokens(module: PgQueryModule, sql: string): RawToken[] {
  const bytes = encoder.encode(`${sql}\0`);
  const pointer = module.allocate(bytes, ALLOC_NORMAL);
  try {
    const { tokens } = module.raw_scan(pointer);
    const out: RawToken[] = [];
    try {
      for (let i = 0, n = tokens.size(); i < n; i++) {
        const t = tokens.get(i);
        if (t.token_kind !== 'SQL_COMMENT' && t.token_kind !== 'C_COMMENT') out.push({ start: t.start, end: t.end, token_kind: t.token_kind });
      }
    } finally {
      tokens.delete?.();
    }
    return out;
  } finally {
    module._free(pointer);
  }
}

/**
 * The statements of a text: the parser says where each one lies (stmt_location, stmt_len: from the end of
 * the one before to its semicolon), the scanner where its first and last tokens are, so that blanks and
 * comments around it count as its surroundings. Offsets are converted from bytes to UTF-16 once, in order.
 */
function statementsOf(module: PgQueryModule, sql: string): StatementsResult {
  const parsed = rawParse(module, sql);
  if (parsed.error) {
    // The parser's cursorpos counts characters (code points), 1-based; stmt_location and stmt_len count bytes.
    const pos = parsed.error.cursorpos;
    return { ok: false, error: { message: parsed.error.message, offset: pos > 0 ? codePointOffset(sql, pos - 1) : null } };
  }
  const tokens = rawTokens(module, sql);
  const total = encoder.encode(sql).length;
  const toChar = new ByteCursor(sql);
  const out: SqlStatement[] = [];
  let t = 0;
  for (const raw of parsed.stmts) {
    const from = raw.stmt_location ?? 0;
    const to = raw.stmt_len ? from + raw.stmt_len : total;
    while (t < tokens.length && tokens[t]!.start < from) t++;
    const first = tokens[t];
    let last = first;
    while (t < tokens.length && tokens[t]!.start < to) last = tokens[t++];
    const semicolon = tokens[t]?.token_kind === 'ASCII_59' ? tokens[t++] : undefined;
    if (!first || !last) continue;
    const start = toChar.at(from);
    const code = toChar.at(first.start);
    out.push({ start, end: toChar.at((semicolon ?? last).end), code, stmt: raw.stmt });
  }
  return { ok: true, statements: out };
}

/** The UTF-16 offset of the `n`th code point of `text` (0-based). */
function codePointOffset(text: string, n: number): number {
  let i = 0;
  for (let k = 0; k < n && i < text.length; k++) i += (text.codePointAt(i) ?? 0) >= 0x10000 ? 2 : 1;
  return i;
}

/** Converts byte offsets of a text's UTF-8 form into UTF-16 offsets, for offsets asked in increasing order (restarts when asked for an earlier one). */
class ByteCursor {
  private i = 0;
  private bytes = 0;
  constructor(private readonly text: string) {}
  at(byteOffset: number): number {
    if (byteOffset < this.bytes) {
      this.i = 0;
      this.bytes = 0;
    }
    while (this.i < this.text.length && this.bytes < byteOffset) {
      const code = this.text.codePointAt(this.i) ?? 0;
      this.bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
      this.i += code >= 0x10000 ? 2 : 1;
    }
    return this.i;
  }
}

function parseError(sql: string, error: { message: string; cursorpos: number }): ParseError {
  const pos = error.cursorpos;
  return { message: error.message, offset: pos > 0 ? charOffset(sql, pos - 1) : null };
}

let loaded: Promise<SqlParser> | null = null;

/** Loads the parser once per process. */
export function loadParser(): Promise<SqlParser> {
  loaded ??= (async () => {
    // Baseline code only (../wasm.ts): the parser's first thousands of fragments parse several times faster in a fresh process.
    const module = await baselineOnly(() => pgQuery() as Promise<PgQueryModule>);
    return {
      parse(sql: string): ParseResult {
        const result = rawParse(module, sql);
        if (result.error) return { ok: false, error: parseError(sql, result.error) };
        return { ok: true, statements: result.stmts.map((s) => s.stmt) };
      },
      check(sql: string): ParseError | null {
        const error = rawCheck(module, sql);
        return error ? parseError(sql, error) : null;
      },
      statements(sql: string): StatementsResult {
        return statementsOf(module, sql);
      },
      plpgsql(sql: string): PlpgsqlResult {
        return rawPlpgsql(module, sql);
      },
    };
  })();
  return loaded;
}

/** libpg_query reports byte positions; convert a byte offset of the UTF-8 text into a UTF-16 offset. */
function charOffset(text: string, byteOffset: number): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    if (bytes >= byteOffset) return i;
    const code = text.codePointAt(i) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (code >= 0x10000) i++;
  }
  return text.length;
}
