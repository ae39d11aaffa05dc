/**
 * Identifiers: the language's naming rule, and quoting for the SQL we write.
 */
import { KEYWORDS } from './keywords.js';

export const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
export const MAX_IDENTIFIER_BYTES = 63;

/** True when PostgreSQL would read the bare name as a keyword, so it must be double-quoted. */
export function isKeyword(name: string): boolean {
  return KEYWORDS.has(name);
}

/** The keyword class of a name, for messages: reserved, type or function name, column name. */
export function keywordClass(name: string): string | null {
  switch (KEYWORDS.get(name)) {
    case 'R':
      return 'a reserved keyword';
    case 'T':
      return 'a keyword reserved for type and function names';
    case 'C':
      return 'a keyword that cannot be a function or type name';
    default:
      return null;
  }
}

/** Quotes an identifier where PostgreSQL needs it, and only there. */
export function quoteIdent(name: string): string {
  if (IDENTIFIER.test(name) && !isKeyword(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** schema.name, each part quoted where needed. */
export function qualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

/**
 * A SQL string literal that means the same whatever the server's
 * standard_conforming_strings: text with a backslash is written as an escape
 * string (E'...'), in which a backslash is always an escape and is doubled,
 * so no setting can make one end the literal early.
 */
export function quoteLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

export function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
