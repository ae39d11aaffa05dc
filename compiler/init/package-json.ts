/**
 * The `pamc` settings of a package.json, added or updated with as little
 * change to the rest of the file as JSON allows.
 *
 * Input: the file's text and the settings wanted. Output: the new text and
 * what changed. Adding the key inserts it before the closing brace and
 * leaves every other byte as it was; changing an existing `pamc` object
 * writes the file again with its indentation and line endings.
 */

/** PamcSettings are the keys `pamc init` writes under "pamc". */
export type PamcSettings = Record<string, string>;

/** SettingsEdit is the new text of package.json and what happened to the "pamc" key. */
export interface SettingsEdit {
  text: string;
  change: 'added' | 'updated' | 'none';
}

/** PackageJsonError is a package.json that cannot take the settings (not JSON, not an object). */
export class PackageJsonError extends Error {}

function indentOf(text: string): string {
  return /^([ \t]+)"/m.exec(text)?.[1] ?? '  ';
}

function render(value: unknown, indent: string, eol: string): string {
  return JSON.stringify(value, null, indent).replace(/\n/g, eol);
}

function insertKey(text: string, key: string, value: unknown): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentOf(text);
  const close = text.lastIndexOf('}');
  const before = text.slice(0, close).replace(/\s*$/, '');
  const comma = before.endsWith('{') ? '' : ',';
  const body = render(value, indent, eol).replace(new RegExp(eol, 'g'), `${eol}${indent}`);
  return `${before}${comma}${eol}${indent}${JSON.stringify(key)}: ${body}${eol}${text.slice(close)}`;
}

/** The package.json text with `settings` under "pamc" (other keys of "pamc" are kept). */
export function withPamcSettings(text: string, settings: PamcSettings): SettingsEdit {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw new PackageJsonError(`package.json is not valid JSON (${(error as Error).message})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new PackageJsonError('package.json does not hold a JSON object');
  const root = doc as Record<string, unknown>;
  const current = root.pamc;
  if (current !== undefined && (current === null || typeof current !== 'object' || Array.isArray(current)))
    throw new PackageJsonError('the "pamc" key of package.json is not an object');
  const old = (current ?? {}) as Record<string, unknown>;
  if (current !== undefined && Object.entries(settings).every(([k, v]) => old[k] === v)) return { text, change: 'none' };
  if (current === undefined) {
    const inserted = insertKey(text, 'pamc', settings);
    const check = JSON.parse(inserted) as Record<string, unknown>;
    if (JSON.stringify(check.pamc) === JSON.stringify(settings)) return { text: inserted, change: 'added' };
  }
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  root.pamc = { ...old, ...settings };
  const trailing = /\r?\n$/.test(text) ? eol : '';
  return { text: `${render(root, indentOf(text), eol)}${trailing}`, change: current === undefined ? 'added' : 'updated' };
}
