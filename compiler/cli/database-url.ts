/**
 * Which database a command talks to: `--database-url`, else the
 * environment's PAMC_DATABASE_URL, else DATABASE_URL. Every message that
 * shows a URL shows it with the password hidden.
 *
 * Input: the flag's value and the environment. Output: the URL and where it
 * came from, or null when none is given.
 */
import type { Context } from './context.js';

/** The places a database URL is taken from, in order. */
export const DATABASE_URL_SOURCES = ['--database-url', 'PAMC_DATABASE_URL', 'DATABASE_URL'] as const;

/** DatabaseUrl is a URL and the place it came from (`--database-url`, `PAMC_DATABASE_URL` or `DATABASE_URL`). */
export interface DatabaseUrl {
  url: string;
  source: (typeof DATABASE_URL_SOURCES)[number];
}

/** The URL to use: the flag, else PAMC_DATABASE_URL, else DATABASE_URL; empty values count as unset. */
export function resolveDatabaseUrl(flag: string | undefined, env: Context['env']): DatabaseUrl | null {
  if (flag !== undefined && flag !== '') return { url: flag, source: '--database-url' };
  for (const name of ['PAMC_DATABASE_URL', 'DATABASE_URL'] as const) {
    const value = env[name];
    if (value !== undefined && value !== '') return { url: value, source: name };
  }
  return null;
}

/** The password part of a URL that does not parse: after `scheme://user:` (or `user:` without a scheme) up to the last `@`. */
function loosePassword(url: string): RegExp {
  return /^[^:@]*:\/\//.test(url) ? /^([^:@]*:\/\/[^:/@]*:)([^@]*)@/ : /^([^:/@]*:)([^@]*)@/;
}

/** The URL with its password replaced by `***` (also when the URL does not parse). */
export function hidePassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') {
      u.password = '***';
      return u.toString();
    }
  } catch {
    // Not a URL: the loose pattern below finds the password.
  }
  return url.replace(loosePassword(url), '$1***@');
}

/** `text` with the URL shown without its password, and every occurrence of the password itself replaced by `***`. */
export function withoutPassword(text: string, url: string): string {
  let password: string;
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = loosePassword(url).exec(url)?.[2] ?? '';
  }
  const hidden = text.split(url).join(hidePassword(url));
  return password.length >= 3 ? hidden.split(password).join('***') : hidden;
}

/** What is wrong with a resolved URL (not a postgres:// URL), naming where it came from; null when it is fine. */
export function databaseUrlProblem(resolved: DatabaseUrl): string | null {
  let u: URL;
  try {
    u = new URL(resolved.url);
  } catch {
    return `${resolved.source}: \`${hidePassword(resolved.url)}\` is not a URL; write postgres://user:password@host:port/database`;
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `${resolved.source}: \`${hidePassword(resolved.url)}\` is not a postgres:// URL`;
  return null;
}

/** The message for a command that needs a database and was given none. */
export function noDatabaseUrl(command: string): string {
  return `${command} needs a database: pass --database-url postgres://..., or set PAMC_DATABASE_URL (or DATABASE_URL)`;
}
