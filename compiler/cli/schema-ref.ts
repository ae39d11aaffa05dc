/**
 * The `$schema` reference a phase file's first line gives editors (the YAML
 * language server): the JSON Schema of the language, relative to the file.
 */
import { posix, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PACKAGE_ROOT } from './commands.js';

/** Where an app that installed pamc finds the schema, relative to its root. */
export const INSTALLED_SCHEMA = 'node_modules/pamc/compiler/validate/pamc.schema.json';

/** The schema's path relative to `dir` (relative to `cwd`): this pamc's own copy when it is inside the project, else the installed path. */
export function schemaReference(cwd: string, dir: string): string {
  const own = fileURLToPath(new URL('compiler/validate/pamc.schema.json', PACKAGE_ROOT));
  const fromRoot = relative(cwd, own).split(sep).join('/');
  const target = fromRoot.startsWith('..') || fromRoot.startsWith('/') ? INSTALLED_SCHEMA : fromRoot;
  return posix.relative(relative(cwd, resolve(cwd, dir)).split(sep).join('/') || '.', target);
}
