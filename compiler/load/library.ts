/**
 * The general path of stage 1: any YAML, through the `yaml` library, with a
 * fact for whatever is wrong (../rules yaml-syntax and duplicate-key judge
 * them). Hostile input is bounded here: aliases expand to at most
 * MAX_ALIAS_EXPANSION nodes in total and nesting is limited to MAX_DEPTH.
 */
import { createRequire } from 'node:module';
import type { Node as YamlNode, Document } from 'yaml';
import type { Diagnostic, SourceFile, Span } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { LoadFact } from '../rules/facts.js';
import type { LEntry, LNode, LoadedFile } from './index.js';

import { MAX_ALIAS_EXPANSION, MAX_DEPTH } from './limits.js';

let yamlModule: typeof import('yaml') | null = null;

/** The YAML library, loaded on first use: loading it takes longer than reading a plain phase file (./fast.ts). */
export function yamlLibrary(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** A problem that stops the conversion of a document: a yaml-error fact with pamc's own code. */
class Stop extends Error {
  constructor(readonly fact: LoadFact) {
    super(fact.kind);
  }
}

function judgeAll(facts: readonly LoadFact[]): Diagnostic[] {
  return facts.flatMap(judge);
}

/** Problems of the text itself, before the YAML library reads it: invalid UTF-8, lone carriage returns. */
function textProblem(source: SourceFile, span: (start: number, end: number) => Span): LoadFact | null {
  const bad = source.text.indexOf('\uFFFD');
  if (bad !== -1) return { kind: 'yaml-error', span: span(bad, bad + 1), code: 'ENCODING', message: '' };
  // The YAML library reads a lone CR as no line break at all, and then reports whatever that makes of the file.
  const cr = /\r(?!\n)/.exec(source.text);
  if (cr) return { kind: 'yaml-error', span: span(cr.index, cr.index + 1), code: 'BARE_CR', message: '' };
  return null;
}

/** Loads `source` through the YAML library. */
export function loadWithLibrary(source: SourceFile): { file: LoadedFile | null; diagnostics: Diagnostic[] } {
  const span = (start: number, end: number): Span => ({ file: source.path, start, end: Math.max(end, start) });
  const early = textProblem(source, span);
  if (early) return { file: null, diagnostics: judgeAll([early]) };
  // Duplicate keys are found below, with a set per mapping: the YAML library's own check compares every key
  // with every earlier one, so a mapping of 20,000 keys took seconds and one of 60,000 over a minute.
  const doc = yamlLibrary().parseDocument(source.text, { uniqueKeys: false, prettyErrors: false, strict: true, keepSourceTokens: false });
  const errors: LoadFact[] = [];
  for (const error of doc.errors) {
    const [start, end] = error.pos;
    // The YAML library running out of stack on a deeply nested document is reported as the limit, once.
    if (error.code === 'RESOURCE_EXHAUSTION') {
      errors.push({ kind: 'yaml-error', span: span(start, end), code: 'NESTING', message: '' });
      break;
    }
    errors.push({ kind: 'yaml-error', span: span(start, end), code: error.code, message: error.message });
  }
  if (errors.length) return { file: null, diagnostics: judgeAll(errors) };
  if (doc.contents === null) return { file: null, diagnostics: judgeAll([{ kind: 'yaml-error', span: span(0, 0), code: 'EMPTY', message: '' }]) };
  const converter = new Converter(doc, span);
  try {
    const root = converter.convert(doc.contents as YamlNode, 0, false);
    if (converter.duplicates.length) return { file: null, diagnostics: judgeAll(converter.duplicates) };
    return { file: { path: source.path, root }, diagnostics: [] };
  } catch (error) {
    if (error instanceof Stop) return { file: null, diagnostics: judgeAll([error.fact]) };
    throw error;
  }
}

/** Converts the library's nodes into located trees, within the limits. */
class Converter {
  readonly duplicates: LoadFact[] = [];
  private budget = MAX_ALIAS_EXPANSION;
  private readonly lib = yamlLibrary();

  constructor(
    private readonly doc: Document,
    private readonly span: (start: number, end: number) => Span,
  ) {}

  private stop(span: Span, code: string, message = ''): never {
    throw new Stop({ kind: 'yaml-error', span, code, message });
  }

  convert(node: YamlNode | null, depth: number, viaAlias: boolean): LNode {
    if (node === null) return { kind: 'scalar', value: null, span: this.span(0, 0) };
    const range = node.range ?? [0, 0, 0];
    const here = this.span(range[0], range[1]);
    if (depth > MAX_DEPTH) this.stop(here, 'NESTING');
    if (viaAlias && --this.budget < 0) this.stop(here, 'ALIAS_EXPANSION');
    const { isAlias, isMap, isScalar, isSeq } = this.lib;
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      if (!target) this.stop(here, 'UNKNOWN_ALIAS', `unknown alias *${node.source}`);
      return { ...this.convert(target as YamlNode, depth + 1, true), span: here } as LNode;
    }
    if (isScalar(node)) {
      const v = node.value;
      // PostgreSQL refuses a NUL in query text, and the parser that checks the SQL would stop reading at it.
      if (typeof v === 'string' && v.includes('\0')) this.stop(here, 'NUL');
      if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return { kind: 'scalar', value: v, span: here };
      return { kind: 'scalar', value: String(v), span: here };
    }
    if (isSeq(node)) return { kind: 'seq', items: node.items.map((item) => this.convert(item as YamlNode, depth + 1, viaAlias)), span: here };
    if (isMap(node)) return { kind: 'map', entries: this.entries(node.items, range, depth, viaAlias), span: here };
    return this.stop(here, 'UNSUPPORTED');
  }

  private entries(items: readonly unknown[], range: readonly number[], depth: number, viaAlias: boolean): LEntry[] {
    const entries: LEntry[] = [];
    const seen = new Set<string>();
    for (const pair of items) {
      if (!this.lib.isPair(pair)) continue;
      const key = pair.key as YamlNode | null;
      const keyRange = key?.range ?? range;
      const keySpan = this.span(keyRange[0]!, keyRange[1]!);
      if (!this.lib.isScalar(key) || (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean'))
        this.stop(keySpan, 'KEY_SHAPE');
      const name = String(key.value);
      if (seen.has(name)) {
        // Reported where the mapping is written, not again for each alias of it.
        if (!viaAlias) this.duplicates.push({ kind: 'duplicate-key', span: keySpan });
        continue;
      }
      seen.add(name);
      const value = this.convert(pair.value as YamlNode | null, depth + 1, viaAlias);
      const valueSpan = pair.value ? value.span : this.span(keyRange[1]!, keyRange[1]!);
      entries.push({ key: name, keySpan, value: { ...value, span: valueSpan } as LNode });
    }
    return entries;
  }
}
