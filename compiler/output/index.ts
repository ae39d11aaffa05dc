/**
 * Stage 7, output: the output directory against the lock.
 *
 * Input: the lock, the .sql files of the output directory, and with `--base`
 * the base ref's lock and files. Output: the diagnostics of the facts found:
 * files the lock lists, missing or edited; versions out of order; files
 * pamc did not write; with a base, every migration that is new relative to
 * it must be byte for byte what `build` writes from the spec (./rederive.ts).
 */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import { STAGING_DIR, type Lock } from '../lock/index.js';
import { migrationPaths } from '../plan/index.js';
import { GENERATED } from '../emit/index.js';
import type { Feature } from '../model/types.js';
import type { AdditiveChange } from '../diff/changes.js';
import { judgeRederived } from './rederive.js';
import { baseFileState, type BaseRef } from './base.js';

/** OutputInput is what the output stage compares. */
export interface OutputInput {
  lock: Lock;
  outDir: string;
  outFiles: ReadonlyMap<string, string>;
  base: BaseRef | null;
  /** Entries not in the base lock: checked by re-derivation instead of by their own hash. */
  unshipped: ReadonlySet<string>;
}

/** The files pamc owns: every path of every lock entry. */
export function ownedPaths(lock: Lock): Set<string> {
  return new Set(lock.entries.flatMap((e) => migrationPaths(e.file, e.environments)));
}

/**
 * Judges the files the lock lists, and that the versions of work in progress
 * increase in the order of the spec's features (`order`: names in fold order).
 */
export function judgeOwned({ lock, outDir, outFiles, unshipped }: OutputInput, order: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const at = new Map(lock.entries.map((e, i) => [e.feature, i]));
  for (const [i, entry] of lock.entries.entries()) {
    if (unshipped.has(entry.feature)) continue;
    for (const path of migrationPaths(entry.file, entry.environments)) {
      out.push(...judge({ kind: 'owned-file', span: lock.spans[i] ?? lock.span, entry, path, shown: `${outDir}/${path}`, text: outFiles.get(path) }));
    }
  }
  const inOrder = order.flatMap((name) => (at.has(name) ? [at.get(name)!] : []));
  // Shipped features out of order are history's (reorder-features); here, work in progress placed before what shipped.
  for (const [k, i] of inOrder.entries()) {
    const previous = lock.entries[inOrder[k - 1] ?? -1];
    const entry = lock.entries[i]!;
    if (!previous || (!unshipped.has(entry.feature) && !unshipped.has(previous.feature))) continue;
    out.push(...judge({ kind: 'version-step', span: lock.spans[i] ?? lock.span, entry, previous }));
  }
  return out;
}

/** The .sql files of the output directory that pamc does not own (hand-written), outside its staging directory. */
export function foreignFiles(lock: Lock, outFiles: ReadonlyMap<string, string>): string[] {
  const owned = ownedPaths(lock);
  return [...outFiles.keys()].filter((p) => !owned.has(p) && !p.startsWith(`${STAGING_DIR}/`)).sort();
}

/** Migrations pamc wrote (by their first line) that none of `locks` lists: left by a branch after a merge, or by a lost lock entry. */
export function orphanFiles(locks: readonly Lock[], outFiles: ReadonlyMap<string, string>): string[] {
  const owned = new Set(locks.flatMap((l) => [...ownedPaths(l)]));
  return [...outFiles]
    .filter(([path, text]) => !owned.has(path) && text.startsWith(GENERATED))
    .map(([path]) => path)
    .sort();
}

/** Judges the files pamc did not write: with a base, one that the base does not have is new hand-written SQL. */
export function judgeForeign(input: OutputInput, foreign: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const path of foreign) {
    const shown = `${input.outDir}/${path}`;
    const atBase = input.base ? baseFileState(input.base, path, input.outFiles.get(path) ?? '') : null;
    out.push(...judge({ kind: 'foreign-file', span: { file: shown, start: 0, end: 0 }, shown, atBase }));
  }
  return out;
}

/** OutputJudged is what the whole output stage reads: the directory, the spec's features, and whether build repairs (then work in progress and orphans are its to fix). */
export interface OutputJudged extends OutputInput {
  foreign: readonly string[];
  orphans: readonly string[];
  repair: boolean;
  features: readonly Feature[];
  ready: readonly Feature[];
  deltaOf: (feature: Feature) => AdditiveChange[];
}

/** Every judgement of the output stage. */
export function judgeOutput(input: OutputJudged): Diagnostic[] {
  const { repair, unshipped, outDir, base } = input;
  const order = input.features.map((f) => f.name).filter((name) => !(repair && unshipped.has(name)));
  const out = [...judgeOwned(input, order), ...judgeForeign(input, input.foreign)];
  // With a base, build removes orphans (the base does not ship them); otherwise nobody can tell, and both commands say so.
  if (!repair)
    for (const path of input.orphans)
      out.push(...judge({ kind: 'orphan-file', span: { file: `${outDir}/${path}`, start: 0, end: 0 }, shown: `${outDir}/${path}`, base: base !== null }));
  if (base && !repair) out.push(...judgeRederived(input));
  return out;
}
