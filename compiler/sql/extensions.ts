/**
 * What pamc knows of PostgreSQL extensions: the types each brings (so
 * columns may use them), and the module the embedded PostgreSQL (PGlite)
 * loads it from. An extension not listed here can still be created; its
 * types are then unknown to the type check unless written
 * `extensions.<type>`.
 */

/** Types per extension, as they are named in schema `extensions`. */
const TYPES: Record<string, readonly string[]> = {
  citext: ['citext'],
  hstore: ['hstore'],
  ltree: ['ltree', 'lquery', 'ltxtquery'],
  cube: ['cube'],
  seg: ['seg'],
  isn: ['ean13', 'isbn', 'isbn13', 'ismn', 'ismn13', 'issn', 'issn13', 'upc'],
  earthdistance: ['earth'],
  postgis: ['geometry', 'geography', 'box2d', 'box3d'],
  vector: ['vector', 'halfvec', 'sparsevec'],
};

/** The types an extension brings (none for an extension of functions or operators only, such as pg_trgm). */
export function extensionTypes(name: string): readonly string[] {
  return TYPES[name] ?? [];
}

/**
 * Extensions PGlite ships as modules of @electric-sql/pglite/contrib: the
 * SQL name → the module (and export) name.
 */
export const PGLITE_EXTENSIONS: Readonly<Record<string, string>> = {
  amcheck: 'amcheck',
  bloom: 'bloom',
  btree_gin: 'btree_gin',
  btree_gist: 'btree_gist',
  citext: 'citext',
  cube: 'cube',
  dict_int: 'dict_int',
  dict_xsyn: 'dict_xsyn',
  earthdistance: 'earthdistance',
  fuzzystrmatch: 'fuzzystrmatch',
  hstore: 'hstore',
  intarray: 'intarray',
  isn: 'isn',
  lo: 'lo',
  ltree: 'ltree',
  pg_trgm: 'pg_trgm',
  pgcrypto: 'pgcrypto',
  seg: 'seg',
  tablefunc: 'tablefunc',
  tcn: 'tcn',
  tsm_system_rows: 'tsm_system_rows',
  tsm_system_time: 'tsm_system_time',
  unaccent: 'unaccent',
  'uuid-ossp': 'uuid_ossp',
};
