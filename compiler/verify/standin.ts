/**
 * A stand-in for the parts of Supabase that migrations rely on, for databases
 * that are not Supabase (the embedded PGlite, a plain PostgreSQL server):
 * the roles anon, authenticated and service_role (BYPASSRLS); schema auth
 * with auth.users; auth.uid() reading the `sub` claim from
 * request.jwt.claim.sub or request.jwt.claims; the default privileges
 * that grant new tables in public to the API roles, as Supabase does;
 * schema `extensions` and the (empty) supabase_realtime publication.
 *
 * Every statement is idempotent and transactional, so the stand-in can be
 * installed inside a transaction that is rolled back afterwards.
 */

/** The SQL of the stand-in. */
export const STANDIN_SQL = `
DO $standin$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'anon') THEN
    CREATE ROLE anon NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'authenticated') THEN
    CREATE ROLE authenticated NOLOGIN NOINHERIT;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'service_role') THEN
    CREATE ROLE service_role NOLOGIN NOINHERIT BYPASSRLS;
  END IF;
END
$standin$;

CREATE SCHEMA IF NOT EXISTS auth;

CREATE TABLE IF NOT EXISTS auth.users (
  id uuid PRIMARY KEY,
  email text,
  created_at timestamptz DEFAULT now()
);

CREATE OR REPLACE FUNCTION auth.uid() RETURNS uuid
LANGUAGE sql STABLE
AS $uid$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub'
  )::uuid
$uid$;

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION auth.uid() TO anon, authenticated, service_role;
GRANT SELECT ON auth.users TO service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;

CREATE SCHEMA IF NOT EXISTS extensions;
GRANT USAGE ON SCHEMA extensions TO anon, authenticated, service_role;

DO $standin$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime') THEN
    CREATE PUBLICATION supabase_realtime;
  END IF;
END
$standin$;
`;

/** The search_path of Supabase's roles: extensions (in schema `extensions`) are found by name. */
export const SEARCH_PATH_SQL = 'SET search_path TO "$user", public, extensions';

/** SQL that tells whether the database already has Supabase's auth layer (then the stand-in is not installed). */
export const HAS_AUTH_SQL = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'auth') AS has_auth`;
