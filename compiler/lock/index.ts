/**
 * The lock: what pamc has emitted.
 *
 * Input: the lock file's text (or none). Output: a Lock, or the problems
 * that keep it from being read. The lock records for every emitted feature
 * its version, file, environments, the SHA-256 of the SQL and the
 * normalized spec that produced it.
 *
 * Format 2 (`pamc.lock`) is JSON Lines: a header line `{"pamc":2}`, then one
 * line per migration in version order. Two branches that each add features
 * add lines and touch no shared line, so git merges them (with the `union`
 * driver `pamc init` writes to .gitattributes, even when both add at the
 * end). Format 1 (`pamc.lock.json`, one JSON document with a chained hash)
 * is still read; the next build writes format 2 in its place. What was
 * shipped is proven against the base branch (`check --base`), not by a hash
 * inside the file a pull request edits.
 */
import type { SourceFile, Span } from '../report/diagnostic.js';
import type { Environment } from '../model/types.js';
import { canonicalJson, type FeatureSnapshot } from '../model/snapshot.js';

import { MIGRATION_NAME } from './names.js';

export { LEGACY_LOCK_FILE, LOCK_FILE, MIGRATION_NAME, STAGING_DIR } from './names.js';
export const LOCK_FORMAT = 2;
const HEADER = `{"pamc":${LOCK_FORMAT}}`;
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

/** Lock is the parsed lock file, entries in version order; `spans` locates each entry in the file for diagnostics. */
export interface Lock {
  entries: LockEntry[];
  spans: Span[];
  span: Span;
  /** Read from a format 1 lock (`pamc.lock.json`). */
  legacy: boolean;
}

export { sha256 } from './hash.js';

function entryJson(e: LockEntry): Record<string, unknown> {
  const out: Record<string, unknown> = { feature: e.feature, phase: e.phase, version: e.version, file: e.file, environments: e.environments, sha256: e.sha256 };
  if (e.grants) out.grants = e.grants;
  out.spec = e.spec;
  return out;
}

/** An entry's canonical JSON: its line in the lock file. */
export function entryLine(e: LockEntry): string {
  return canonicalJson(entryJson(e));
}

function byVersion(entries: readonly LockEntry[]): LockEntry[] {
  return [...entries].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0));
}

/** Renders a lock deterministically: the header line, then one line per migration in version order. */
export function renderLock(entries: readonly LockEntry[]): string {
  return [HEADER, ...byVersion(entries).map(entryLine)].join('\n') + '\n';
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

/**
 * LockProblem is why a lock file cannot be trusted as it is: it cannot be
 * read (the lock is then empty), it holds git's conflict markers (likewise),
 * or (`duplicate`) it lists a feature twice, as a rebase leaves a feature
 * rebuilt in several commits: the lock then keeps the later version, and
 * `duplicate` names the feature.
 */
export interface LockProblem {
  span: Span;
  message: string;
  kind: 'unreadable' | 'conflict' | 'duplicate';
  duplicate?: string;
}

/** ParsedLock is a lock read from its file, and the problems found. */
export interface ParsedLock {
  lock: Lock;
  problems: LockProblem[];
}

const CONFLICT_MARKER = /^(<{7}|={7}|>{7}|\|{7})(?: |$)/;

/** Parses a lock file, either format. A missing lock is an empty lock. */
export function parseLock(source: SourceFile | null): ParsedLock {
  const emptySpan: Span = { file: source?.path ?? 'pamc.lock', start: 0, end: 0 };
  const empty: Lock = { entries: [], spans: [], span: emptySpan, legacy: false };
  if (!source) return { lock: empty, problems: [] };
  const fail = (message: string, span: Span = emptySpan, kind: LockProblem['kind'] = 'unreadable'): ParsedLock => ({
    lock: empty,
    problems: [{ span, message, kind }],
  });
  const lines: Array<{ text: string; start: number; n: number }> = [];
  let at = 0;
  for (const [i, text] of source.text.split('\n').entries()) {
    lines.push({ text, start: at, n: i + 1 });
    at += text.length + 1;
  }
  const lineSpan = (l: { text: string; start: number }): Span => ({ file: source.path, start: l.start, end: l.start + l.text.length });
  const marker = lines.find((l) => CONFLICT_MARKER.test(l.text));
  if (marker) return fail(`the lock has git conflict markers (line ${marker.n}): a merge left it unresolved`, lineSpan(marker), 'conflict');
  if (lines[0]?.text.trim() === '{') return parseLegacy(source, fail);
  if (lines[0]?.text !== HEADER)
    return fail(`the lock does not start with ${HEADER}: it is not a lock pamc wrote (format ${LOCK_FORMAT})`, lineSpan(lines[0]!));
  const read: Array<{ entry: LockEntry; span: Span }> = [];
  const problems: LockProblem[] = [];
  const seen = new Map<string, { line: string; n: number }>();
  for (const l of lines.slice(1)) {
    if (l.text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(l.text);
    } catch {
      value = null;
    }
    if (!isEntry(value)) return fail(`line ${l.n} of the lock is not a migration record`, lineSpan(l));
    const before = seen.get(value.feature);
    if (before && before.line === l.text) continue;
    const key = '"file":';
    const startOfFile = l.start + l.text.indexOf(key) + key.length;
    const record = { entry: value, span: { file: source.path, start: startOfFile, end: startOfFile + JSON.stringify(value.file).length } };
    if (before) {
      const message = `the lock lists feature \`${value.feature}\` twice (lines ${before.n} and ${l.n}): a merge or rebase kept two versions of its migration`;
      problems.push({ span: lineSpan(l), message, kind: 'duplicate', duplicate: value.feature });
      const i = read.findIndex((r) => r.entry.feature === value.feature);
      if (read[i]!.entry.version < value.version) read[i] = record;
      continue;
    }
    seen.set(value.feature, { line: l.text, n: l.n });
    read.push(record);
  }
  read.sort((a, b) => (a.entry.version < b.entry.version ? -1 : a.entry.version > b.entry.version ? 1 : 0));
  return { lock: { entries: read.map((r) => r.entry), spans: read.map((r) => r.span), span: emptySpan, legacy: false }, problems };
}

/** A format 1 lock: one JSON document, `migrations` in order (its chained hash is not checked: the base branch proves what shipped). */
function parseLegacy(source: SourceFile, fail: (message: string, span?: Span) => ParsedLock): ParsedLock {
  let data: unknown;
  try {
    data = JSON.parse(source.text);
  } catch (error) {
    return fail(`the lock file is not valid JSON: ${(error as Error).message}`);
  }
  const body = data as { pamc?: unknown; migrations?: unknown };
  if (!body || typeof body !== 'object' || body.pamc !== 1 || !Array.isArray(body.migrations)) {
    return fail('the lock file does not have the shape pamc writes (format 1: pamc, chain, migrations)');
  }
  const spans: Span[] = [];
  let from = 0;
  for (const [i, e] of body.migrations.entries()) {
    if (!isEntry(e)) return fail(`entry ${i + 1} of the lock file is not a valid migration record`);
    const quoted = JSON.stringify(e.file);
    const start = source.text.indexOf(quoted, from);
    from = start === -1 ? from : start + quoted.length;
    spans.push({ file: source.path, start: Math.max(0, start), end: Math.max(0, start) + quoted.length });
  }
  const entries = body.migrations as LockEntry[];
  return { lock: { entries, spans, span: { file: source.path, start: 0, end: 0 }, legacy: true }, problems: [] };
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
