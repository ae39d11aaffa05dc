/**
 * Which database a command talks to (--database-url, else PAMC_DATABASE_URL,
 * else DATABASE_URL), and that no message shows its password.
 */
import { describe, expect, it } from 'vitest';
import { databaseUrlProblem, hidePassword, resolveDatabaseUrl, withoutPassword } from '../compiler/cli/database-url.js';

describe('resolveDatabaseUrl', () => {
  it('takes the flag, else PAMC_DATABASE_URL, else DATABASE_URL; empty values are unset', () => {
    const env = { PAMC_DATABASE_URL: 'postgres://a@h/pamc', DATABASE_URL: 'postgres://a@h/app' };
    expect(resolveDatabaseUrl('postgres://a@h/flag', env)).toEqual({ url: 'postgres://a@h/flag', source: '--database-url' });
    expect(resolveDatabaseUrl(undefined, env)).toEqual({ url: 'postgres://a@h/pamc', source: 'PAMC_DATABASE_URL' });
    expect(resolveDatabaseUrl('', { ...env, PAMC_DATABASE_URL: '' })).toEqual({ url: 'postgres://a@h/app', source: 'DATABASE_URL' });
    expect(resolveDatabaseUrl(undefined, {})).toBeNull();
  });
});

describe('passwords', () => {
  it('are hidden in URLs, parsable or not', () => {
    expect(hidePassword('postgres://app:s3cret@db.example.com:5432/app')).toBe('postgres://app:***@db.example.com:5432/app');
    expect(hidePassword('postgres://app@db.example.com/app')).toBe('postgres://app@db.example.com/app');
    expect(hidePassword('postgres://app:s3 cr/et@db.example.com:5432/app%')).toBe('postgres://app:***@db.example.com:5432/app%');
    expect(hidePassword('app:s3cret@db.example.com/app')).toBe('app:***@db.example.com/app');
  });

  it('are removed from a driver message that echoes them', () => {
    const url = 'postgres://app:p%40ss-word@db.example.com/app';
    expect(withoutPassword(`cannot reach ${url}: password p@ss-word rejected`, url)).toBe(
      'cannot reach postgres://app:***@db.example.com/app: password *** rejected',
    );
  });

  it('stay hidden when a URL is refused, and the message names where it came from', () => {
    expect(databaseUrlProblem({ url: 'mysql://u:topsecret@h/db', source: 'DATABASE_URL' })).toBe('DATABASE_URL: `mysql://u:***@h/db` is not a postgres:// URL');
    expect(databaseUrlProblem({ url: 'not a url:topsecret@', source: '--database-url' })).toBe(
      '--database-url: `not a url:***@` is not a URL; write postgres://user:password@host:port/database',
    );
    expect(databaseUrlProblem({ url: 'app:topsecret@db/app', source: 'DATABASE_URL' })).toBe('DATABASE_URL: `app:***@db/app` is not a postgres:// URL');
    expect(databaseUrlProblem({ url: 'postgresql://u@h/db', source: 'PAMC_DATABASE_URL' })).toBeNull();
  });
});
