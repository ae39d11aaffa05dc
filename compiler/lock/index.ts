/**
 * The lock: what pamc has emitted, frozen.
 *
 * Input: the lock file's text (or none). Output: a Lock, or a lock-integrity
 * diagnostic. The lock records for every emitted feature its version, file,
 * environments, the SHA-256 of the SQL and the normalized spec that produced
 * it; `chain` is one hash over all entries in order, so an edited, reordered
 * or truncated lock is caught.
 */
import { sha256 } from './hash.js';
import type { Node as YamlNode } from 'yaml';
import type { SourceFile, Span } from '../report/diagnostic.js';
import type { Environment } from '../model/types.js';
import { canonicalJson, type FeatureSnapshot } from '../model/snapshot.js';
import { yamlLibrary } from '../load/index.js';

import { LOCK_FILE, MIGRATION_NAME } from './names.js';

export { LOCK_FILE, MIGRATION_NAME, STAGING_DIR } from './names.js';
export const LOCK_FORMAT = 1;

/** LockEntry records one emitted feature. */
export interface LockEntry {
  feature: string;
  phase: number;
  version: string;
  file: string;
  environments: Environment[];
  sha256: string;
  spec: FeatureSnapshot;
  /**
   * `exact`: the migration gave its new tables exact grants (anon and
   * authenticated hold only what the rules allow). Absent in entries written
   * before pamc emitted exact grants; their migrations are re-derived without.
   */
  grants?: 'exact';
}

/** Lock is the parsed lock file; `spans` locates each entry in the file for diagnostics. */
export interface Lock {
  entries: LockEntry[];
  chain: string;
  spans: Span[];
  span: Span;
}

export { sha256 } from './hash.js';

/** The chained hash over entries in order. */
export function chainHash(entries: readonly LockEntry[]): string {
  return chainOf(entries.map(entryLine));
}

/** The chain over entries given as their canonical JSON. */
function chainOf(lines: readonly string[]): string {
  let h = sha256('pamc-lock-v1');
  // Each step hashes the previous hash, a line break and the entry's line: one string, one update.
  for (const line of lines) h = sha256(`${h}\n${line}`);
  return h;
}

function entryJson(e: LockEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { feature: e.feature, phase: e.phase, version: e.version, file: e.file, environments: e.environments, sha256: e.sha256 };
  if (e.grants) out.grants = e.grants;
  out.spec = e.spec;
  return out;
}

/** An entry's canonical JSON: what the chain hashes, and its line in the lock file. */
function entryLine(e: LockEntry): string {
  return canonicalJson(entryJson(e));
}

/** The lock file's text up to the entries; then a line break, and each entry as INDENT and its line, the lines joined by `,\n`. */
const HEAD = (chain: string): string => `{\n  "pamc": ${LOCK_FORMAT},\n  "chain": ${JSON.stringify(chain)},\n  "migrations": [`;
const INDENT = '    ';

function layout(lines: readonly string[]): string {
  const head = HEAD(chainOf(lines));
  if (lines.length === 0) return `${head}]\n}\n`;
  return `${head}\n${INDENT}${lines.join(`,\n${INDENT}`)}\n  ]\n}\n`;
}

/**
 * Renders a lock deterministically: JSON, one migration per line, each in
 * its canonical form (keys in a fixed order, no spaces), which is also what
 * the chain hashes. A new migration adds one line.
 */
export function renderLock(entries: readonly LockEntry[]): string {
  return layout(entries.map(entryLine));
}

function isEntry(v: unknown): v is LockEntry {
  if (!v || typeof v !== 'object') return false;
  const e = v as Record<string, unknown>;
  return (
    typeof e.feature === 'string' &&
    typeof e.phase === 'number' &&
    typeof e.version === 'string' &&
    /^[0-9]{14}$/.test(e.version) &&
    typeof e.file === 'string' &&
    MIGRATION_NAME.test(e.file) &&
    e.file === `${e.version}_${e.feature}.sql` &&
    Array.isArray(e.environments) &&
    e.environments.every((x) => x === 'production' || x === 'staging') &&
    typeof e.sha256 === 'string' &&
    /^[0-9a-f]{64}$/.test(e.sha256) &&
    (e.grants === undefined || e.grants === 'exact') &&
    !!e.spec &&
    typeof e.spec === 'object'
  );
}

/** LockProblem is why a lock file cannot be trusted: it does not parse as a lock, or (chain) its entries do not match its chained hash. */
export interface LockProblem {
  span: Span;
  message: string;
  chain: boolean;
}

/** ParsedLock is a lock read from its file, and the problems found (the lock is then empty, or its entries unproven). */
export interface ParsedLock {
  lock: Lock;
  problems: LockProblem[];
}

/** Parses a lock file. A missing lock is an empty lock. */
export function parseLock(source: SourceFile | null): ParsedLock {
  const emptySpan: Span = { file: source?.path ?? LOCK_FILE, start: 0, end: 0 };
  const empty: Lock = { entries: [], chain: chainHash([]), spans: [], span: emptySpan };
  if (!source) return { lock: empty, problems: [] };
  const fail = (message: string, span: Span = emptySpan): ParsedLock => ({ lock: empty, problems: [{ span, message, chain: false }] });
  const canonical = canonicalLock(source);
  if (canonical) return { lock: canonical, problems: [] };
  const { parseDocument, isMap, isSeq } = yamlLibrary();
  const doc = parseDocument(source.text, { uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const [start, end] = doc.errors[0]!.pos;
    return fail(`the lock file is not valid JSON: ${doc.errors[0]!.message.split('\n')[0]}`, { file: source.path, start, end });
  }
  let data: unknown;
  try {
    data = JSON.parse(source.text);
  } catch (error) {
    return fail(`the lock file is not valid JSON: ${(error as Error).message}`);
  }
  const body = data as { pamc?: unknown; chain?: unknown; migrations?: unknown };
  if (!body || typeof body !== 'object' || body.pamc !== LOCK_FORMAT || typeof body.chain !== 'string' || !Array.isArray(body.migrations)) {
    return fail(`the lock file does not have the shape pamc writes (format ${LOCK_FORMAT}: pamc, chain, migrations)`);
  }
  const root = doc.contents;
  const seq = isMap(root) ? root.get('migrations', true) : null;
  const spans: Span[] = [];
  for (const [i, e] of body.migrations.entries()) {
    const item = isSeq(seq) ? (seq.items[i] as YamlNode | undefined) : undefined;
    const node =
      (isMap(item) ? (item.items.find((p) => (p.key as { value?: unknown } | null)?.value === 'file')?.value as YamlNode | undefined) : undefined) ?? item;
    const range = node?.range ?? [0, 0, 0];
    const span = {
      file: source.path,
      start: range[0],
      end: Math.min(range[1], source.text.indexOf('\n', range[0]) === -1 ? range[1] : source.text.indexOf('\n', range[0])),
    };
    if (!isEntry(e)) return fail(`entry ${i + 1} of the lock file is not a valid migration record`, span);
    spans.push(span);
  }
  const entries = body.migrations as LockEntry[];
  const lock: Lock = { entries, chain: body.chain, spans, span: { file: source.path, start: 0, end: 0 } };
  if (chainHash(entries) !== body.chain) {
    return {
      lock,
      problems: [
        {
          span: { file: source.path, start: source.text.indexOf('"chain"'), end: source.text.indexOf('"chain"') + 7 },
          message: 'the chained hash does not match the entries: the lock was edited, reordered or truncated by hand',
          chain: true,
        },
      ],
    };
  }
  return { lock, problems: [] };
}

/**
 * The lock exactly as pamc writes it, read without the YAML parser. A lock
 * whose text is byte for byte what renderLock makes of its own entries is
 * well formed, has no duplicate keys and a matching chain, and its entries
 * sit at known places; anything else (null) takes the general path, which
 * locates every problem. Reading a large lock through the YAML parser costs
 * seconds; this costs one JSON.parse and one render. (A lock in the layout
 * of earlier versions, pretty-printed, takes the general path; the next
 * build that adds a migration rewrites it in this one.)
 */
function canonicalLock(source: SourceFile): Lock | null {
  let data: unknown;
  try {
    data = JSON.parse(source.text);
  } catch {
    return null;
  }
  const body = data as { pamc?: unknown; chain?: unknown; migrations?: unknown };
  if (!body || typeof body !== 'object' || body.pamc !== LOCK_FORMAT || typeof body.chain !== 'string' || !Array.isArray(body.migrations)) return null;
  if (!body.migrations.every(isEntry)) return null;
  const entries = body.migrations as LockEntry[];
  const lines = entries.map(entryLine);
  if (layout(lines) !== source.text) return null;
  // Each entry is one line; its first `"file":` is the key (a feature name is [a-z0-9_], so no value before it holds one).
  const spans: Span[] = [];
  let at = HEAD(body.chain).length + 1;
  for (const [i, line] of lines.entries()) {
    const start = at + INDENT.length + line.indexOf('"file":') + '"file":'.length;
    spans.push({ file: source.path, start, end: start + JSON.stringify(entries[i]!.file).length });
    at += INDENT.length + line.length + 2;
  }
  return { entries, chain: body.chain, spans, span: { file: source.path, start: 0, end: 0 } };
}

/** Formats a Date as a Supabase migration version, YYYYMMDDHHMMSS in UTC. */
export function formatVersion(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}`;
}

function parseVersion(version: string): Date {
  const n = (a: number, b: number): number => Number(version.slice(a, b));
  return new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14)));
}

/** The next version: the clock, or one second after the latest version already taken, whichever is later. */
export function nextVersion(now: Date, taken: Iterable<string>): string {
  let latest: string | null = null;
  for (const v of taken) if (latest === null || v > latest) latest = v;
  const candidate = formatVersion(now);
  if (latest === null || candidate > latest) return candidate;
  return formatVersion(new Date(parseVersion(latest).getTime() + 1000));
}
