/**
 * The SQL of schema objects beside tables: extensions (in schema
 * `extensions`), enums and their added values, the realtime publication,
 * and the trigger that keeps a column at now() on update. Every statement
 * is idempotent.
 */
import type { EnumState, TableState } from '../diff/state.js';
import { qualified, quoteIdent, quoteLiteral } from '../sql/ident.js';
import { HELPER_SCHEMA } from '../diff/functions.js';

/** The schema Supabase keeps extensions in. */
export function extensionsSchema(): string[] {
  return ['CREATE SCHEMA IF NOT EXISTS extensions;'];
}

/** CREATE EXTENSION in schema `extensions`. */
export function createExtension(name: string): string[] {
  return [`CREATE EXTENSION IF NOT EXISTS ${quoteIdent(name)} WITH SCHEMA extensions;`];
}

/** CREATE TYPE ... AS ENUM where the catalog lacks it (PostgreSQL has no CREATE TYPE IF NOT EXISTS). */
export function createEnum(type: EnumState): string[] {
  return [
    [
      'DO $pamc$',
      'BEGIN',
      '  IF NOT EXISTS (',
      '    SELECT 1 FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace',
      `    WHERE n.nspname = ${quoteLiteral(type.schema)} AND t.typname = ${quoteLiteral(type.name)}`,
      '  ) THEN',
      `    CREATE TYPE ${qualified(type.schema, type.name)} AS ENUM (${type.values.map(quoteLiteral).join(', ')});`,
      '  END IF;',
      'END',
      '$pamc$;',
    ].join('\n'),
  ];
}

/**
 * Values added to an enum, each after the one before it. ADD VALUE runs in
 * a transaction (PostgreSQL 12 and later); the feature that adds a value
 * must not use it (enum-value-in-use), so the migration works under
 * `supabase db push` and `psql -1 -f` alike.
 */
export function addEnumValues(type: EnumState, added: readonly string[]): string[] {
  let after = type.values.at(-1);
  return added.map((v) => {
    const sql = `ALTER TYPE ${qualified(type.schema, type.name)} ADD VALUE IF NOT EXISTS ${quoteLiteral(v)}${after !== undefined ? ` AFTER ${quoteLiteral(after)}` : ''};`;
    after = v;
    return sql;
  });
}

/**
 * The table in Supabase's supabase_realtime publication. The publication is
 * Supabase's: where it does not exist, nothing happens.
 */
export function addToRealtime(t: TableState): string[] {
  return [
    [
      'DO $pamc$',
      'BEGIN',
      "  IF EXISTS (SELECT 1 FROM pg_catalog.pg_publication WHERE pubname = 'supabase_realtime') AND NOT EXISTS (",
      '    SELECT 1 FROM pg_catalog.pg_publication_tables',
      `    WHERE pubname = 'supabase_realtime' AND schemaname = ${quoteLiteral(t.schema)} AND tablename = ${quoteLiteral(t.name)}`,
      '  ) THEN',
      `    ALTER PUBLICATION supabase_realtime ADD TABLE ${qualified(t.schema, t.name)};`,
      '  END IF;',
      'END',
      '$pamc$;',
    ].join('\n'),
  ];
}

/** The one trigger function every touched column shares: it sets the column its trigger names to now(). */
export const TOUCH_FUNCTION = 'touch';

export function touchFunction(): string[] {
  return [
    `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(HELPER_SCHEMA)};`,
    [
      `CREATE OR REPLACE FUNCTION ${quoteIdent(HELPER_SCHEMA)}.${TOUCH_FUNCTION}()`,
      'RETURNS trigger',
      'LANGUAGE plpgsql',
      "SET search_path = ''",
      'AS $pamc$',
      'BEGIN',
      '  NEW := pg_catalog.jsonb_populate_record(NEW, pg_catalog.jsonb_build_object(TG_ARGV[0], pg_catalog.now()));',
      '  RETURN NEW;',
      'END',
      '$pamc$;',
    ].join('\n'),
  ];
}

/** The trigger name that keeps `column` of `table` current. */
export function touchTrigger(table: string, column: string): string {
  return `${table}_touch_${column}`;
}

/** The trigger of a touched column (CREATE OR REPLACE TRIGGER: PostgreSQL 14 and later, as on Supabase). */
export function touchColumn(t: TableState): string[] {
  const column = t.touch!;
  return [
    `CREATE OR REPLACE TRIGGER ${quoteIdent(touchTrigger(t.name, column))} BEFORE UPDATE ON ${qualified(t.schema, t.name)} FOR EACH ROW EXECUTE FUNCTION ${quoteIdent(HELPER_SCHEMA)}.${TOUCH_FUNCTION}(${quoteLiteral(column)});`,
  ];
}
