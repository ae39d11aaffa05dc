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

/** Judges the files the lock lists and the order of their versions. */
export function judgeOwned({ lock, outDir, outFiles, unshipped }: OutputInput): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [i, entry] of lock.entries.entries()) {
    const span = lock.spans[i] ?? lock.span;
    if (!unshipped.has(entry.feature)) {
      for (const path of migrationPaths(entry.file, entry.environments)) {
        out.push(...judge({ kind: 'owned-file', span, entry, path, shown: `${outDir}/${path}`, text: outFiles.get(path) }));
      }
    }
    const previous = lock.entries[i - 1];
    if (previous) out.push(...judge({ kind: 'version-step', span, entry, previous }));
  }
  return out;
}

/** The .sql files of the output directory that pamc does not own (hand-written), outside its staging directory. */
export function foreignFiles(lock: Lock, outFiles: ReadonlyMap<string, string>): string[] {
  const owned = ownedPaths(lock);
  return [...outFiles.keys()].filter((p) => !owned.has(p) && !p.startsWith(`${STAGING_DIR}/`)).sort();
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
