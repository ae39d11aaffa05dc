/**
 * What the parser said about each fragment of a project (types, defaults,
 * checks, index predicates), kept between runs in the project's
 * node_modules/.cache/pamc/.
 *
 * Loading the PostgreSQL parser and warming it up is a third of a `pamc
 * check` on a small spec. Its answers are a pure function of the fragment's
 * text, the parser and pamc's code that asks, so they are kept in a file
 * named by a hash of those two (and the parser's version): a `check` whose
 * fragments are all there needs no parser at all (./project.ts). The file
 * holds what the last run used, nothing more. PAMC_FRAGMENT_CACHE=0 turns
 * it off; a project without node_modules has none.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { FragmentMemo } from '../sql/fragments.js';

const FORMAT = 1;

export class FragmentCache {
  private constructor(
    private readonly path: string,
    /** The results the file held. */
    readonly entries: ReadonlyMap<string, unknown>,
  ) {}

  /** The cache of the project at `root`, or null when there is none (or it is turned off). */
  static open(root: string): FragmentCache | null {
    if (process.env.PAMC_FRAGMENT_CACHE === '0') return null;
    const modules = join(root, 'node_modules');
    if (!existsSync(modules)) return null;
    let key: string;
    try {
      const hash = createHash('sha256').update(`pamc-fragments-v${FORMAT}\n`);
      // The code that produces the results: how fragments are asked, and the parser that answers.
      for (const file of ['../sql/fragments.js', '../sql/parser.js']) hash.update(readFileSync(new URL(file, import.meta.url)));
      const parser = createRequire(import.meta.url).resolve('pg-query-emscripten/pg_query_wasm.js');
      hash.update(readFileSync(join(parser, '..', 'package.json')));
      key = hash.digest('hex').slice(0, 16);
    } catch {
      return null;
    }
    const path = join(modules, '.cache', 'pamc', `fragments-${key}.json`);
    let entries = new Map<string, unknown>();
    try {
      const data = JSON.parse(readFileSync(path, 'utf8')) as { format?: unknown; entries?: unknown };
      if (data.format === FORMAT && Array.isArray(data.entries)) entries = new Map((data.entries as unknown[]).filter(wellFormed));
    } catch {
      // No file yet, or one that cannot be read: the parser answers, and the file is written anew.
    }
    return new FragmentCache(path, entries);
  }

  /** Gives a memo the results the file held. */
  seed(memo: FragmentMemo): void {
    for (const [key, value] of this.entries) if (!memo.results.has(key)) memo.results.set(key, value);
  }

  /** Keeps what this run used, if it is not what the file already holds. Best effort: a cache that cannot be written is no error. */
  save(memo: FragmentMemo): void {
    const used = [...memo.used].filter((key) => memo.results.has(key)).sort();
    if (used.length === this.entries.size && used.every((key) => this.entries.has(key))) return;
    const tmp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    try {
      mkdirSync(join(this.path, '..'), { recursive: true });
      writeFileSync(tmp, `${JSON.stringify({ format: FORMAT, entries: used.map((key) => [key, memo.results.get(key)]) })}\n`);
      renameSync(tmp, this.path);
    } catch {
      rmSync(tmp, { force: true });
    }
  }
}

const isString = (v: unknown): v is string => typeof v === 'string';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isProblem = (v: unknown): boolean => isObject(v) && isString(v.message) && Number.isInteger(v.offset) && isString(v.hint);

/** An entry of the shape fragments.ts makes: a file edited by hand, or by another program, is not trusted further. */
function wellFormed(entry: unknown): entry is [string, unknown] {
  if (!Array.isArray(entry) || entry.length !== 2 || !isString(entry[0])) return false;
  const [key, v] = entry as [string, unknown];
  if (key.startsWith('type\0')) return (isObject(v) && isString(v.canonical) && Object.keys(v).length === 1) || isProblem(v);
  if (key.startsWith('expr\0')) {
    if (!isObject(v) || typeof v.single !== 'boolean' || typeof v.subquery !== 'boolean' || !Array.isArray(v.refs) || !v.refs.every(isString)) return false;
    return v.error === null || (isObject(v.error) && isString(v.error.message) && Number.isInteger(v.error.offset));
  }
  return false;
}
