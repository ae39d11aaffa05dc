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

/** SqlParser is the loaded parser. */
export interface SqlParser {
  parse(sql: string): ParseResult;
  /** Whether `sql` parses: the error, or null. Cheaper than parse: no tree is built in JavaScript. */
  check(sql: string): ParseError | null;
}

interface RawParseResult {
  parse_tree: string;
  error: { message: string; cursorpos: number };
}

interface PgQueryModule {
  allocate(slab: Uint8Array, allocator: number): number;
  _free(pointer: number): void;
  raw_parse(pointer: number): RawParseResult;
  raw_fingerprint(pointer: number): { error: { message: string; cursorpos: number } };
}

/** Emscripten's ALLOC_NORMAL: malloc, freed by us after the call. */
const ALLOC_NORMAL = 0;
const encoder = new TextEncoder();

/**
 * Parses through the raw entry point. The module's own `parse` copies every
 * text onto the WebAssembly stack and never pops it, so a long build would
 * exhaust the stack; here the text lives on the heap and is freed at once.
 */
function rawParse(
  module: PgQueryModule,
  sql: string,
): { stmts: Array<{ stmt: Record<string, unknown> }>; error: { message: string; cursorpos: number } | null } {
  const bytes = encoder.encode(`${sql}\0`);
  const pointer = module.allocate(bytes, ALLOC_NORMAL);
  try {
    const raw = module.raw_parse(pointer);
    if (raw.error.message !== '') return { stmts: [], error: { message: raw.error.message, cursorpos: raw.error.cursorpos } };
    const tree = JSON.parse(raw.parse_tree) as { stmts?: Array<{ stmt: Record<string, unknown> }> };
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

let loaded: Promise<SqlParser> | null = null;

/** Loads the parser once per process. */
export function loadParser(): Promise<SqlParser> {
  loaded ??= (async () => {
    // Baseline code only (../wasm.ts): the parser's first thousands of fragments parse several times faster in a fresh process.
    const module = await baselineOnly(() => pgQuery() as Promise<PgQueryModule>);
    return {
      parse(sql: string): ParseResult {
        const result = rawParse(module, sql);
        if (result.error) {
          const pos = result.error.cursorpos;
          return { ok: false, error: { message: result.error.message, offset: pos > 0 ? charOffset(sql, pos - 1) : null } };
        }
        return { ok: true, statements: result.stmts.map((s) => s.stmt) };
      },
      check(sql: string): ParseError | null {
        const error = rawCheck(module, sql);
        if (!error) return null;
        const pos = error.cursorpos;
        return { message: error.message, offset: pos > 0 ? charOffset(sql, pos - 1) : null };
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
