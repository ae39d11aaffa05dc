/**
 * Stage 1, load: YAML text to located trees.
 *
 * Input: SourceFile[] (path and text; the CLI reads them).
 * Output: one LoadedFile per source whose YAML is well formed, plus diagnostics
 * (yaml-syntax, duplicate-key) for the rest. Nothing here knows the pamc
 * language; it only turns YAML into LNode trees that remember their spans.
 *
 * Hostile input is bounded here: aliases are expanded at most
 * MAX_ALIAS_EXPANSION nodes in total and nesting is limited to MAX_DEPTH, so
 * an alias bomb or a deep document ends in a diagnostic, not a hang.
 *
 * Phase files in plain YAML take a fast path (./fast.ts) that builds the
 * same trees without the YAML library; everything else comes here.
 */
import { createRequire } from 'node:module';
import type { Node as YamlNode } from 'yaml';
import type { Diagnostic, SourceFile, Span } from '../report/diagnostic.js';
import { diagnostic } from '../rules/index.js';
import { loadFast } from './fast.js';

let yamlModule: typeof import('yaml') | null = null;

/** The YAML library, loaded on first use: loading it takes longer than reading a plain phase file (./fast.ts). */
export function yamlLibrary(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** LScalar is a located YAML scalar (string, number, boolean or null). */
export interface LScalar {
  kind: 'scalar';
  value: string | number | boolean | null;
  span: Span;
}
/** LEntry is one key of a located map. */
export interface LEntry {
  key: string;
  keySpan: Span;
  value: LNode;
}
/** LMap is a located YAML mapping whose keys are strings. */
export interface LMap {
  kind: 'map';
  entries: LEntry[];
  span: Span;
}
/** LSeq is a located YAML sequence. */
export interface LSeq {
  kind: 'seq';
  items: LNode[];
  span: Span;
}
/** LNode is any located YAML node. */
export type LNode = LScalar | LMap | LSeq;

/** LoadedFile is one YAML file as a located tree. */
export interface LoadedFile {
  path: string;
  root: LNode;
}

export const MAX_DEPTH = 64;
export const MAX_ALIAS_EXPANSION = 10_000;

class LoadLimit extends Error {
  constructor(
    readonly rule: 'yaml-syntax',
    readonly span: Span,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Loads one source; a file with a syntax error produces diagnostics instead of a tree. */
export function loadFile(source: SourceFile): { file: LoadedFile | null; diagnostics: Diagnostic[] } {
  const root = source.text.includes('\uFFFD') ? null : loadFast(source.text, source.path);
  if (root) return { file: { path: source.path, root }, diagnostics: [] };
  return loadWithLibrary(source);
}

/** The general path: any YAML, through the YAML library, with a diagnostic for whatever is wrong. */
export function loadWithLibrary(source: SourceFile): { file: LoadedFile | null; diagnostics: Diagnostic[] } {
  const { isAlias, isMap, isPair, isScalar, isSeq, parseDocument } = yamlLibrary();
  const diagnostics: Diagnostic[] = [];
  const span = (start: number, end: number): Span => ({ file: source.path, start, end: Math.max(end, start) });
  const text = source.text;
  if (text.includes('\uFFFD')) {
    const at = text.indexOf('\uFFFD');
    diagnostics.push(diagnostic('yaml-syntax', span(at, at + 1), 'the file is not valid UTF-8', 'save the file as UTF-8 (without a byte-order mark is best)'));
    return { file: null, diagnostics };
  }
  const bareCr = /\r(?!\n)/.exec(text);
  if (bareCr) {
    // The YAML library reads a lone CR as no line break at all, and then reports whatever that makes of the file.
    diagnostics.push(
      diagnostic(
        'yaml-syntax',
        span(bareCr.index, bareCr.index + 1),
        'a line ends with a carriage return alone (classic Mac OS line endings), which is not read as a line break',
        'save the file with LF (or CRLF) line endings',
      ),
    );
    return { file: null, diagnostics };
  }
  // Duplicate keys are found below, with a set per mapping: the YAML library's own check compares every key
  // with every earlier one, so a mapping of 20,000 keys took seconds and one of 60,000 over a minute.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, strict: true, keepSourceTokens: false });
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    if (error.code === 'RESOURCE_EXHAUSTION') {
      // The YAML library ran out of stack on a deeply nested document; say what the limit is, not how it broke.
      diagnostics.push(
        diagnostic('yaml-syntax', span(start, end), `the document nests deeper than ${MAX_DEPTH} levels`, 'a phase file needs only a few levels of nesting'),
      );
      break;
    }
    diagnostics.push(diagnostic('yaml-syntax', span(start, end), firstLine(error.message), yamlHint(error.code)));
  }
  if (diagnostics.length > 0) return { file: null, diagnostics };
  if (doc.contents === null) {
    diagnostics.push(diagnostic('yaml-syntax', span(0, 0), 'the file is empty', 'a phase file starts with `phase: <number>`'));
    return { file: null, diagnostics };
  }
  let budget = MAX_ALIAS_EXPANSION;
  const duplicates: Diagnostic[] = [];
  const convert = (node: YamlNode | null, depth: number, viaAlias: boolean): LNode => {
    if (node === null) return { kind: 'scalar', value: null, span: span(0, 0) };
    const range = node.range ?? [0, 0, 0];
    const here = span(range[0], range[1]);
    if (depth > MAX_DEPTH)
      throw new LoadLimit('yaml-syntax', here, `the document nests deeper than ${MAX_DEPTH} levels`, 'a phase file needs only a few levels of nesting');
    if (viaAlias && --budget < 0) {
      throw new LoadLimit('yaml-syntax', here, `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`, 'write the values out, or use fewer nested aliases');
    }
    if (isAlias(node)) {
      const target = node.resolve(doc);
      if (!target) throw new LoadLimit('yaml-syntax', here, `unknown alias *${node.source}`, 'define the anchor (&name) before using it');
      const resolved = convert(target as YamlNode, depth + 1, true);
      return { ...resolved, span: here } as LNode;
    }
    if (isScalar(node)) {
      const v = node.value;
      if (typeof v === 'string' && v.includes('\0')) {
        // PostgreSQL refuses a NUL in query text, and the parser that checks the SQL would stop reading at it.
        throw new LoadLimit('yaml-syntax', here, 'a NUL character (U+0000) is not allowed in a phase file', 'remove it; no PostgreSQL text can hold one');
      }
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'scalar', value: v, span: here };
      return { kind: 'scalar', value: String(v), span: here };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((item) => convert(item as YamlNode, depth + 1, viaAlias)), span: here };
    if (isMap(node)) {
      const entries: LEntry[] = [];
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = pair.key as YamlNode | null;
        const keyRange = key?.range ?? range;
        const keySpan = span(keyRange[0], keyRange[1]);
        if (!isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')) {
          throw new LoadLimit('yaml-syntax', keySpan, 'a mapping key must be a plain name', 'write the key as a plain word');
        }
        if (seen.has(String(key.value))) {
          // Reported where the mapping is written, not again for each alias of it.
          if (!viaAlias)
            duplicates.push(
              diagnostic(
                'duplicate-key',
                keySpan,
                'this key appears twice in the same mapping; YAML keeps only one of them',
                'remove or rename one of the two keys',
              ),
            );
          continue;
        }
        seen.add(String(key.value));
        const value = convert(pair.value as YamlNode | null, depth + 1, viaAlias);
        const valueSpan = pair.value ? value.span : span(keyRange[1], keyRange[1]);
        entries.push({ key: String(key.value), keySpan, value: { ...value, span: valueSpan } as LNode });
      }
      return { kind: 'map', entries, span: here };
    }
    throw new LoadLimit('yaml-syntax', here, 'unsupported YAML node', 'use plain mappings, sequences and scalars');
  };
  try {
    const root = convert(doc.contents as YamlNode, 0, false);
    if (duplicates.length > 0) return { file: null, diagnostics: duplicates };
    return { file: { path: source.path, root }, diagnostics };
  } catch (error) {
    if (error instanceof LoadLimit) return { file: null, diagnostics: [diagnostic(error.rule, error.span, error.message, error.hint)] };
    throw error;
  }
}

function firstLine(message: string): string {
  const line = message.split('\n')[0] ?? message;
  return line.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML indents with spaces only; replace the tab with spaces';
    case 'MULTIPLE_DOCS':
      return 'a phase file holds one YAML document; move the rest to a file of its own';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the closing bracket of the line above';
    default:
      return 'fix the YAML syntax at this point';
  }
}

/** Wraps a plain JSON value as an LNode whose every span is `span` (used for lock snapshots). */
export function fromJson(value: unknown, span: Span): LNode {
  if (Array.isArray(value)) return { kind: 'seq', items: value.map((v) => fromJson(v, span)), span };
  if (value !== null && typeof value === 'object') {
    return { kind: 'map', entries: Object.entries(value).map(([key, v]) => ({ key, keySpan: span, value: fromJson(v, span) })), span };
  }
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return { kind: 'scalar', value, span };
  return { kind: 'scalar', value: String(value), span };
}

/** Converts a located tree back to plain JSON (for JSON Schema validation). */
export function toJson(node: LNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toJson);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        // A key `__proto__` must stay a key the schema sees, not replace the prototype: defined, not assigned.
        // Every other key is assigned, which is several times faster on a large spec.
        if (e.key === '__proto__') Object.defineProperty(out, e.key, { value: toJson(e.value), enumerable: true, writable: true, configurable: true });
        else out[e.key] = toJson(e.value);
      }
      return out;
    }
  }
}

/** Returns the entry `key` of a map node, if any. */
export function entry(node: LNode | undefined, key: string): LEntry | undefined {
  return node?.kind === 'map' ? node.entries.find((e) => e.key === key) : undefined;
}
