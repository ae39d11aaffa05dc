/**
 * The files verify applies: pamc's migrations of an environment (the lock's
 * files, ./expected migrationSet) and the hand-written migrations that share
 * the output directory, in version (file name) order, as Supabase applies
 * them. Only hand-written files whose names Supabase picks up count
 * (`<digits>_<name>.sql`, directly in the output directory); the others are
 * listed as skipped. Staging gets the output directory's hand-written files
 * too: pamc's staging directory holds only pamc's own.
 *
 * Input: the plan, CompileOutput.foreign (relative to the output directory),
 * the texts of the output directory. Output: VerifyMigrations. Pure.
 */
import type { Environment, ExistingTable } from '../model/types.js';
import type { PlannedMigration } from '../compile.js';
import { migrationSet, type MigrationFile } from './expected.js';
import type { SplitMigration } from './split.js';

/** A hand-written migration Supabase applies: `<digits>_<name>.sql`. */
export const HAND_WRITTEN_NAME = /^[0-9]+_[^/]+\.sql$/;

/** VerifyMigrations is what verify applies, in order, and what it leaves out. */
export interface VerifyMigrations {
  files: MigrationFile[];
  /** Lock-listed files that are not on disk. */
  missing: string[];
  /** Hand-written .sql files of the output directory whose names Supabase does not apply (so neither does verify). */
  skipped: string[];
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** pamc's files for the environment and the hand-written ones of the output directory, in file name order. */
export function verifyMigrations(
  plan: readonly PlannedMigration[],
  foreign: readonly string[],
  environment: Environment,
  outFiles: ReadonlyMap<string, string>,
  outDir: string,
): VerifyMigrations {
  const own = migrationSet(plan, environment, outFiles, outDir);
  const hand: MigrationFile[] = [];
  const skipped: string[] = [];
  for (const rel of foreign) {
    const text = outFiles.get(rel);
    if (text === undefined) continue;
    if (HAND_WRITTEN_NAME.test(rel)) hand.push({ path: `${outDir}/${rel}`, text, handWritten: true });
    else skipped.push(`${outDir}/${rel}`);
  }
  const files = [...own.files, ...hand].sort((a, b) => {
    const x = baseName(a.path);
    const y = baseName(b.path);
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { files, missing: own.missing, skipped };
}

/**
 * The tables that hand-written files create (CREATE TABLE, CREATE TABLE AS),
 * as "schema.table" (public when unqualified), from their parse trees.
 */
export function tablesCreatedByHand(migrations: readonly SplitMigration[]): Set<string> {
  const out = new Set<string>();
  for (const m of migrations) {
    if (!m.file.handWritten) continue;
    for (const { stmt } of m.statements) {
      const create = stmt.CreateStmt as { relation?: { schemaname?: string; relname?: string } } | undefined;
      const as = (stmt.CreateTableAsStmt as { into?: { rel?: { schemaname?: string; relname?: string } } } | undefined)?.into?.rel;
      const rel = create?.relation ?? as;
      if (rel?.relname) out.add(`${rel.schemaname ?? 'public'}.${rel.relname}`);
    }
  }
  return out;
}

/**
 * The tables declared `existing:` that the embedded database needs stubs
 * for: all of them, except those a hand-written file creates (its CREATE
 * TABLE would clash with a stub), which the hand-written file provides.
 */
export function stubTables(existing: readonly ExistingTable[], createdByHand: ReadonlySet<string>): ExistingTable[] {
  return existing.filter((t) => !createdByHand.has(`${t.schema}.${t.name}`));
}
