/**
 * The fast path of stage 1: phase files in the plain YAML they are written
 * in, read without the YAML library.
 *
 * Input: a file's text. Output: the located tree exactly as the general path
 * (../load, through the `yaml` library) builds it, every value and span the
 * same, or null when the text holds anything outside the subset below; the
 * general path then reads it, and reports whatever is wrong with it. The
 * library reads some 1 MB/s here, and loads in 80 ms; this reads tens.
 *
 * The subset: block mappings (plain or quoted keys) and block sequences
 * (items that are scalars, one-line flow collections or compact mappings);
 * one-line flow mappings and sequences; plain scalars, quoted scalars on one
 * line without escapes, literal block scalars (|, |-, |+); comments at the
 * end of a line, comment lines before the document and at its end in the
 * first column, and comment lines inside it indented like the line that
 * follows them; LF line breaks. Everything else (tabs, CR, anchors, aliases,
 * tags, folded and multi-line scalars, multi-line flow collections,
 * duplicate keys, document markers, numbers other than decimal integers,
 * control characters) is null: the fast path never decides what YAML means
 * where the library could decide otherwise. tests/load-fast.test.ts holds
 * the two paths to the same trees.
 */
import type { LEntry, LNode } from './index.js';
import {
  APOSTROPHE,
  BAIL,
  COLON,
  Cursor,
  DASH,
  HASH,
  isFlowIndicator,
  isIndicator,
  isKeyChar,
  LF,
  LONE_SURROGATE,
  MAX_FAST_DEPTH,
  MAX_KEY,
  OUTSIDE,
  QUOTE,
  resolvePlain,
  SPACE,
  type Block,
  type Next,
} from './fast-lex.js';

/** The located tree of `text`, or null to take the general path. */
export function loadFast(text: string, file: string): LNode | null {
  if (OUTSIDE.test(text) || LONE_SURROGATE.test(text)) return null;
  try {
    return new FastLoader(text, file).document();
  } catch (error) {
    if (error === BAIL) return null;
    throw error;
  }
}

class FastLoader extends Cursor {
  document(): LNode {
    const first = this.gap(0);
    if (!first || first.indent !== 0) throw BAIL;
    const root = this.blockMap(0, first.pos, 0);
    if (root.next) throw BAIL;
    return root.node;
  }

  private isSeqItem(pos: number): boolean {
    if (this.code(pos) !== DASH) return false;
    const c = this.code(pos + 1);
    return c === SPACE || c === LF || c === -1;
  }

  /** A mapping key at `pos`, followed by `:` and a space or line break. */
  private key(pos: number): { key: string; start: number; end: number; after: number } {
    const k = this.keyName(pos);
    const after = this.code(k.end + 1);
    if (after !== SPACE && after !== LF && after !== -1) throw BAIL;
    return { key: k.key, start: pos, end: k.end, after: k.end + 1 };
  }

  /** A key in a flow mapping: plain or quoted, then `:` and a space. */
  private flowKey(pos: number): { key: string; start: number; end: number } {
    const k = this.keyName(pos);
    if (this.code(k.end + 1) !== SPACE) throw BAIL;
    return { key: k.key, start: pos, end: k.end };
  }

  /** A key at `pos`, plain or quoted, up to the `:` after it: its value and where it ends (at the colon). */
  private keyName(pos: number): { key: string; end: number } {
    const c = this.code(pos);
    let key: string;
    let end: number;
    if (c === QUOTE || c === APOSTROPHE) {
      const q = this.quoted(pos);
      key = q.value;
      end = q.end;
    } else {
      let j = pos;
      while (isKeyChar(this.code(j))) j++;
      if (j === pos || c === DASH || c === 0x2e) throw BAIL;
      const value = resolvePlain(this.text.slice(pos, j));
      if (value === null) throw BAIL;
      key = String(value);
      end = j;
    }
    if (end - pos > MAX_KEY || this.code(end) !== COLON) throw BAIL;
    return { key, end };
  }

  /** A quoted scalar on one line, without escapes: its value and the position after the closing quote. */
  private quoted(pos: number): { value: string; end: number } {
    const quote = this.code(pos);
    if (quote === QUOTE) {
      let j = pos + 1;
      for (;;) {
        const c = this.code(j);
        if (c === -1 || c === LF || c === 0x5c) throw BAIL;
        if (c === QUOTE) break;
        j++;
      }
      return { value: this.text.slice(pos + 1, j), end: j + 1 };
    }
    let value = '';
    let from = pos + 1;
    let j = pos + 1;
    for (;;) {
      const c = this.code(j);
      if (c === -1 || c === LF) throw BAIL;
      if (c === APOSTROPHE) {
        if (this.code(j + 1) === APOSTROPHE) {
          value += this.text.slice(from, j + 1);
          j += 2;
          from = j;
          continue;
        }
        break;
      }
      j++;
    }
    return { value: value + this.text.slice(from, j), end: j + 1 };
  }

  private scalar(value: string | number | boolean | null, start: number, end: number): LNode {
    return { kind: 'scalar', value, span: this.span(start, end) };
  }

  /** A block mapping whose keys start at column `column`; the first key is at `pos`. */
  private blockMap(column: number, pos: number, depth: number): Block {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    const entries: LEntry[] = [];
    const seen = new Set<string>();
    const start = pos;
    let end: number;
    let next: Next | null;
    for (;;) {
      if (this.isSeqItem(pos)) throw BAIL;
      const k = this.key(pos);
      if (seen.has(k.key)) throw BAIL;
      seen.add(k.key);
      const value = this.mapValue(column, k.after, depth + 1);
      entries.push({ key: k.key, keySpan: this.span(k.start, k.end), value: value.node });
      end = value.end;
      next = value.next;
      if (!next || next.indent < column) break;
      if (next.indent > column) throw BAIL;
      pos = next.pos;
    }
    return { node: { kind: 'map', entries, span: this.span(start, end) }, end, next };
  }

  /** The value after `key:` (at `pos`, just after the colon) of a mapping at `column`. */
  private mapValue(column: number, pos: number, depth: number): Block {
    const v = this.skipSpaces(pos);
    const c = this.code(v);
    if (c === -1 || c === LF || c === HASH) {
      // Nothing on the line: a nested block on the lines below, or null.
      const next = this.gap(this.afterLine(v));
      if (next && next.indent > column) {
        return this.isSeqItem(next.pos) ? this.blockSeq(next.indent, next.pos, depth) : this.blockMap(next.indent, next.pos, depth);
      }
      if (next && next.indent === column && this.isSeqItem(next.pos)) return this.blockSeq(column, next.pos, depth);
      // Comments after an empty value belong to it in the library's spans, with the blank lines around them.
      if (this.gapComments || c === HASH) throw BAIL;
      return { node: this.scalar(null, v, v), end: v, next };
    }
    if (c === 0x7c) return this.literal(column, v);
    const node = this.inlineValue(v, depth);
    const end = this.endOfLine(node.end);
    const next = this.gap(end);
    if (next && next.indent > column) throw BAIL;
    return { node: node.node, end, next };
  }

  /** A quoted scalar or a flow collection at `pos` (one line), or null when `pos` starts neither. */
  private quotedOrFlow(pos: number, depth: number): { node: LNode; end: number } | null {
    const c = this.code(pos);
    if (c === QUOTE || c === APOSTROPHE) {
      const q = this.quoted(pos);
      return { node: this.scalar(q.value, pos, q.end), end: q.end };
    }
    if (c === 0x5b || c === 0x7b) {
      const node = this.flow(pos, depth);
      return { node, end: node.span.end };
    }
    return null;
  }

  /** A value that ends on its line: a quoted scalar, a flow collection or a plain scalar (block context). */
  private inlineValue(v: number, depth: number): { node: LNode; end: number } {
    const delimited = this.quotedOrFlow(v, depth);
    if (delimited) return delimited;
    if (isIndicator(this.code(v))) throw BAIL;
    // A plain scalar runs to a comment or the end of the line; `: ` inside it would be a nested mapping.
    let j = v;
    let last = v;
    for (;;) {
      const d = this.code(j);
      if (d === -1 || d === LF) break;
      if (d === HASH && this.code(j - 1) === SPACE) break;
      if (d === COLON) {
        const e = this.code(j + 1);
        if (e === SPACE || e === LF || e === -1) throw BAIL;
      }
      if (d !== SPACE) last = j + 1;
      j++;
    }
    return { node: this.scalar(resolvePlain(this.text.slice(v, last)), v, last), end: last };
  }

  /** A block sequence whose dashes are at column `column`; the first is at `pos`. */
  private blockSeq(column: number, pos: number, depth: number): Block {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    const items: LNode[] = [];
    const start = pos;
    let end: number;
    let next: Next | null;
    for (;;) {
      if (this.code(pos + 1) !== SPACE) throw BAIL;
      const v = this.skipSpaces(pos + 1);
      const c = this.code(v);
      if (c === -1 || c === LF || c === HASH || c === DASH || c === 0x7c || c === 0x3e) throw BAIL;
      let item: Block;
      if (this.startsCompactMap(v)) {
        item = this.blockMap(v - this.lineStart(v), v, depth + 1);
      } else {
        const node = this.inlineValue(v, depth + 1);
        if (this.code(this.skipSpaces(node.end)) === COLON) throw BAIL;
        const itemEnd = this.endOfLine(node.end);
        item = { node: node.node, end: itemEnd, next: this.gap(itemEnd) };
      }
      items.push(item.node);
      end = item.end;
      next = item.next;
      if (!next || next.indent < column) break;
      if (next.indent > column || !this.isSeqItem(next.pos)) throw BAIL;
      pos = next.pos;
    }
    return { node: { kind: 'seq', items, span: this.span(start, end) }, end, next };
  }

  /** Whether a sequence item at `v` is a mapping written on the dash's line (`- key: value`). */
  private startsCompactMap(v: number): boolean {
    const c = this.code(v);
    if (c === QUOTE || c === APOSTROPHE || c === 0x5b || c === 0x7b) return false;
    let j = v;
    while (isKeyChar(this.code(j))) j++;
    if (j === v || this.code(j) !== COLON) return false;
    const after = this.code(j + 1);
    return after === SPACE || after === LF || after === -1;
  }

  /** A literal block scalar (|, |- or |+) at `pos`, the value of a mapping at `column`. */
  private literal(column: number, pos: number): Block {
    let h = pos + 1;
    const chomp = this.code(h) === DASH ? 'strip' : this.code(h) === 0x2b ? 'keep' : 'clip';
    if (chomp !== 'clip') h++;
    const afterHeader = this.endOfLine(h);
    if (afterHeader >= this.length) throw BAIL;
    // Lines: empty ones (spaces only) and content, until a line indented less than the content.
    const lines: string[] = [];
    let indent = -1;
    let leadingSpaces = 0;
    let i = afterHeader;
    let lastContentEnd = -1;
    let lastContentIndex = -1;
    let end = afterHeader;
    while (i < this.length) {
      const j = this.skipSpaces(i);
      const spaces = j - i;
      const c = this.code(j);
      if (c === LF || c === -1) {
        if (c === -1 && spaces > 0) throw BAIL;
        if (indent === -1) leadingSpaces = Math.max(leadingSpaces, spaces);
        else if (spaces > indent) throw BAIL;
        if (c === -1) break;
        lines.push('');
        i = j + 1;
        if (chomp === 'keep' && indent !== -1) end = i;
        continue;
      }
      if (indent === -1) {
        if (spaces <= column || leadingSpaces > spaces) throw BAIL;
        indent = spaces;
      } else if (spaces < indent) break;
      const lineEnd = this.text.indexOf('\n', j);
      if (lineEnd === -1) throw BAIL;
      lines.push(this.text.slice(i + indent, lineEnd));
      lastContentIndex = lines.length - 1;
      lastContentEnd = lineEnd + 1;
      end = lastContentEnd;
      i = lineEnd + 1;
    }
    if (lastContentIndex === -1) throw BAIL;
    const body = lines.slice(0, lastContentIndex + 1).join('\n');
    const trailing = lines.length - 1 - lastContentIndex;
    const value = chomp === 'strip' ? body : chomp === 'clip' ? `${body}\n` : `${body}\n${'\n'.repeat(trailing)}`;
    if (chomp !== 'keep') end = lastContentEnd;
    const next = this.gap(lastContentEnd);
    if (next && next.indent > column) throw BAIL;
    return { node: this.scalar(value, pos, end), end, next };
  }

  /** A flow mapping or sequence at `pos`, on one line. */
  private flow(pos: number, depth: number): LNode {
    if (depth > MAX_FAST_DEPTH) throw BAIL;
    const open = this.code(pos);
    const close = open === 0x5b ? 0x5d : 0x7d;
    let j = this.skipSpaces(pos + 1);
    if (this.code(j) === close)
      return open === 0x5b ? { kind: 'seq', items: [], span: this.span(pos, j + 1) } : { kind: 'map', entries: [], span: this.span(pos, j + 1) };
    const items: LNode[] = [];
    const entries: LEntry[] = [];
    const seen = new Set<string>();
    for (;;) {
      if (open === 0x7b) {
        const k = this.flowKey(j);
        if (seen.has(k.key)) throw BAIL;
        seen.add(k.key);
        const v = this.skipSpaces(k.end + 1);
        const value = this.flowNode(v, depth + 1);
        entries.push({ key: k.key, keySpan: this.span(k.start, k.end), value: value.node });
        j = this.skipSpaces(value.end);
      } else {
        const item = this.flowNode(j, depth + 1);
        if (this.code(this.skipSpaces(item.end)) === COLON) throw BAIL;
        items.push(item.node);
        j = this.skipSpaces(item.end);
      }
      const c = this.code(j);
      if (c === close) break;
      if (c !== 0x2c) throw BAIL;
      j = this.skipSpaces(j + 1);
      if (this.code(j) === close || this.code(j) === 0x2c) throw BAIL;
    }
    const span = this.span(pos, j + 1);
    return open === 0x5b ? { kind: 'seq', items, span } : { kind: 'map', entries, span };
  }

  /** A value inside a flow collection: quoted, a nested flow collection, or a plain scalar (flow context). */
  private flowNode(pos: number, depth: number): { node: LNode; end: number } {
    const delimited = this.quotedOrFlow(pos, depth);
    if (delimited) return delimited;
    if (isIndicator(this.code(pos))) throw BAIL;
    let j = pos;
    let last = pos;
    for (;;) {
      const d = this.code(j);
      if (d === -1 || d === LF || d === COLON || isFlowIndicator(d)) break;
      if (d === HASH && this.code(j - 1) === SPACE) throw BAIL;
      if (d !== SPACE) last = j + 1;
      j++;
    }
    const d = this.code(j);
    if (d !== 0x2c && d !== 0x5d && d !== 0x7d) throw BAIL;
    return { node: this.scalar(resolvePlain(this.text.slice(pos, last)), pos, last), end: last };
  }
}
