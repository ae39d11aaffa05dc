/**
 * Where a JSON Schema error points in the located tree, and the words for
 * it: what the rules that judge schema errors (unknown-key, missing-key,
 * invalid-value) need to say where and what.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Span } from '../report/diagnostic.js';
import type { LNode } from '../load/index.js';

/** SchemaErrorPlace is the node an error is about, the key it hangs under, and how messages name it. */
export interface SchemaErrorPlace {
  node: LNode;
  keySpan: Span | null;
  /** The path from the root, one segment per key or index. */
  segments: string[];
  /** "`allow`", "item 2 of `in`", or "the file". */
  what: string;
}

function pathSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The place in `root` that `error` is about. */
export function errorPlace(root: LNode, error: ErrorObject): SchemaErrorPlace {
  const segments = pathSegments(error.instancePath);
  let node = root;
  let keySpan: Span | null = null;
  for (const seg of segments) {
    if (node.kind === 'map') {
      const e = node.entries.find((x) => x.key === seg);
      if (!e) break;
      keySpan = e.keySpan;
      node = e.value;
    } else if (node.kind === 'seq') {
      const item = node.items[Number(seg)];
      if (!item) break;
      node = item;
    }
  }
  const key = segments[segments.length - 1];
  const what = key === undefined ? 'the file' : /^\d+$/.test(key) ? `item ${Number(key) + 1} of \`${segments[segments.length - 2] ?? ''}\`` : `\`${key}\``;
  return { node, keySpan, segments, what };
}

/** "a mapping", "a list", "a whole number", ... for a JSON Schema type. */
export function typeWord(t: string): string {
  switch (t) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'null':
      return 'empty';
    default:
      return `a ${t}`;
  }
}

/** What a node is, in the same words. */
export function kindWord(node: LNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'empty';
  return `a ${typeof node.value}`;
}
