/**
 * Stage 1, load: YAML text to located trees.
 *
 * Input: SourceFile[] (path and text; the CLI reads them).
 * Output: one LoadedFile per source whose YAML is well formed, plus diagnostics
 * (yaml-syntax, duplicate-key) for the rest. Nothing here knows the pamc
 * language; it only turns YAML into LNode trees that remember their spans.
 *
 * Phase files in plain YAML take a fast path (./fast.ts) that builds the
 * same trees without the YAML library; everything else takes the general
 * path (./library.ts), which bounds hostile input (an alias bomb or a deep
 * document ends in a diagnostic, not a hang).
 */
import type { Diagnostic, SourceFile, Span } from '../report/diagnostic.js';
import { loadFast } from './fast.js';
import { loadWithLibrary } from './library.js';

export { loadWithLibrary, yamlLibrary } from './library.js';
export { MAX_ALIAS_EXPANSION, MAX_DEPTH } from './limits.js';

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

/** Loads one source; a file with a syntax error produces diagnostics instead of a tree. */
export function loadFile(source: SourceFile): { file: LoadedFile | null; diagnostics: Diagnostic[] } {
  const root = source.text.includes('\uFFFD') ? null : loadFast(source.text, source.path);
  if (root) return { file: { path: source.path, root }, diagnostics: [] };
  return loadWithLibrary(source);
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
