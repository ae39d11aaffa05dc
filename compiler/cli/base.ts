/**
 * `check --base REF`: what the base ref holds, read with the base's own
 * settings (its package.json), never with those the pull request changes.
 * The pull request's settings are compared with them: a moved output
 * directory is an error, another changed setting a warning.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Diagnostic, Span } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import { LEGACY_LOCK_FILE, LOCK_FILE } from '../lock/index.js';
import type { BaseRef } from '../output/base.js';
import { gitFiles, gitShow, hasRef, mergeBase } from './git.js';
import { settingsFrom, type Settings } from './project.js';

/** What `check` needs of the base: the ref's lock and files, the base's settings, and the diagnostics of settings the pull request changed. */
export interface BaseRead {
  base: BaseRef;
  settings: Settings;
  diagnostics: Diagnostic[];
  /** package.json as the pull request has it, for diagnostics that point into it. */
  sources: Map<string, string>;
}

/** Where a setting is written in package.json (its key), or nowhere when it is not written. */
function settingSpan(text: string | null, key: string): Span {
  const at = text === null ? -1 : text.indexOf(`"${key}"`, Math.max(0, text.indexOf('"pamc"')));
  return at === -1 ? { file: '', start: 0, end: 0 } : { file: 'package.json', start: at, end: at + key.length + 2 };
}

export function readBase(cwd: string, ref: string, current: Settings): BaseRead {
  const settings = settingsFrom(cwd, gitShow(cwd, ref, 'package.json'), {}, `package.json at ${ref}`);
  const name = [LOCK_FILE, LEGACY_LOCK_FILE].find((n) => gitShow(cwd, ref, `${settings.out}/${n}`) !== null) ?? LOCK_FILE;
  const lockText = gitShow(cwd, ref, `${settings.out}/${name}`);
  const sql = new Map([...gitFiles(cwd, ref, settings.out)].filter(([file]) => file.endsWith('.sql')));
  const fork = mergeBase(cwd, ref);
  const forkText =
    fork === null ? null : ([LOCK_FILE, LEGACY_LOCK_FILE].map((n) => gitShow(cwd, fork, `${settings.out}/${n}`)).find((t) => t !== null) ?? null);
  const base: BaseRef = {
    ref,
    lock: lockText === null ? null : { path: `${ref}:${settings.out}/${name}`, text: lockText },
    files: sql,
    fork: forkText === null || fork === null ? null : { path: `${fork.slice(0, 12)}:${settings.out}/${LOCK_FILE}`, text: forkText },
  };
  const pkgPath = resolve(cwd, 'package.json');
  const pkg = existsSync(pkgPath) ? readFileSync(pkgPath, 'utf8') : null;
  const diagnostics = (['out', 'schema', 'prefix'] as const).flatMap((setting) =>
    judge({ kind: 'setting', span: settingSpan(pkg, setting), setting, base: settings[setting], current: current[setting], ref }),
  );
  return { base, settings, diagnostics, sources: new Map(pkg === null ? [] : [['package.json', pkg]]) };
}

/** The base ref a command uses: `--base`, else the `pamc.base` setting when git has that ref, else none. */
export function baseRef(cwd: string, flag: string | boolean | undefined, settings: Settings): string | null {
  if (typeof flag === 'string') return flag;
  if (flag === false || settings.base === null) return null;
  return hasRef(cwd, settings.base) ? settings.base : null;
}
