/**
 * The lexical side of the fast loader (./fast.ts): the characters of the
 * subset, plain scalars as YAML 1.2's core schema reads them, and a Cursor
 * over the lines of a text (positions, spans, blank and comment lines).
 * Anything outside the subset throws BAIL, and the general path reads the file.
 */
import type { Span } from '../report/diagnostic.js';
import type { LNode } from './index.js';

/** Nesting the fast path takes on; deeper documents go to the general path, which enforces the limit. */
export const MAX_FAST_DEPTH = 48;
/** YAML limits implicit keys to 1024 characters; longer ones go to the general path. */
export const MAX_KEY = 1000;

/** Characters outside the subset anywhere in the text: controls but LF, CR and tab included, DEL, C1, LS, PS, BOM, non-characters. */
export const OUTSIDE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/;

export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

export class Bail extends Error {}
export const BAIL = new Bail();

/** The next line with content: where its first character is, and its indentation. */
export interface Next {
  pos: number;
  indent: number;
}

/** A block node: the node, the end of its trailing part (what ends an enclosing block collection), the next content line. */
export interface Block {
  node: LNode;
  end: number;
  next: Next | null;
}

export const SPACE = 0x20;
export const LF = 0x0a;
export const HASH = 0x23;
export const COLON = 0x3a;
export const DASH = 0x2d;
export const QUOTE = 0x22;
export const APOSTROPHE = 0x27;

export function isKeyChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === DASH;
}

/** Characters that cannot begin a plain scalar here, or begin one only in ways left to the general path. */
export function isIndicator(c: number): boolean {
  switch (c) {
    case 0x2d: // -
    case 0x3f: // ?
    case 0x3a: // :
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x23: // #
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
      return true;
    default:
      return false;
  }
}

export function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}

export const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
export const TRUES = new Set(['true', 'True', 'TRUE']);
export const FALSES = new Set(['false', 'False', 'FALSE']);
export const INTEGER = /^[-+]?[0-9]+$/;
/** Anything the core schema might read as a number (floats, octal, hex, infinities, NaN) other than a decimal integer. */
export const NUMBER_LIKE = /^[-+]?\.?[0-9]|^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/;

/** A plain scalar's value under YAML 1.2's core schema, as the `yaml` library resolves it. */
export function resolvePlain(raw: string): string | number | boolean | null {
  // Most scalars are words: one that starts with a letter other than those of null, true and false is a string.
  const c = raw.charCodeAt(0) | 0x20;
  if (c >= 0x61 && c <= 0x7a && c !== 0x6e && c !== 0x74 && c !== 0x66) return raw;
  if (NULLS.has(raw)) return null;
  if (TRUES.has(raw)) return true;
  if (FALSES.has(raw)) return false;
  if (INTEGER.test(raw)) return parseInt(raw, 10);
  if (NUMBER_LIKE.test(raw)) throw BAIL;
  return raw;
}

/** Cursor is a position-level view of a text: characters, lines, spans. */
export class Cursor {
  protected readonly length: number;
  /** Whether the last gap passed comment lines. */
  protected gapComments = false;

  constructor(
    protected readonly text: string,
    protected readonly file: string,
  ) {
    this.length = text.length;
  }

  protected span(start: number, end: number): Span {
    return { file: this.file, start, end: Math.max(end, start) };
  }

  protected code(i: number): number {
    return i < this.length ? this.text.charCodeAt(i) : -1;
  }

  /** The position after the line break of the line holding `i` (or the end of the text). */
  protected afterLine(i: number): number {
    const nl = this.text.indexOf('\n', i);
    return nl === -1 ? this.length : nl + 1;
  }

  protected skipSpaces(i: number): number {
    while (this.code(i) === SPACE) i++;
    return i;
  }

  /**
   * The next content line from the line start `i`, over blank lines and
   * comment lines. Comment lines must be indented like the content line
   * that follows them, or sit in the first column at the end of the text:
   * where else a comment line goes, and so where a collection's span ends,
   * is the general path's to decide.
   */
  protected gap(i: number): Next | null {
    let comments: number[] | null = null;
    this.gapComments = false;
    while (i < this.length) {
      const j = this.skipSpaces(i);
      if (j >= this.length) break;
      const c = this.text.charCodeAt(j);
      if (c === LF) {
        i = j + 1;
        continue;
      }
      if (c === HASH) {
        (comments ??= []).push(j - i);
        i = this.afterLine(j);
        continue;
      }
      const indent = j - i;
      if (comments) for (const at of comments) if (at !== indent) throw BAIL;
      this.gapComments = comments !== null;
      return { pos: j, indent };
    }
    if (comments) for (const at of comments) if (at !== 0) throw BAIL;
    this.gapComments = comments !== null;
    return null;
  }

  /** After a value on its line: spaces, perhaps a comment, then the line break. Returns the position after it. */
  protected endOfLine(i: number): number {
    const j = this.skipSpaces(i);
    const c = this.code(j);
    if (c === -1) return this.length;
    if (c === LF) return j + 1;
    if (c === HASH && j > i) return this.afterLine(j);
    throw BAIL;
  }

  protected lineStart(i: number): number {
    return this.text.lastIndexOf('\n', i - 1) + 1;
  }
}
