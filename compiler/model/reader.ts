/**
 * The Reader carries what reading a spec needs: the parser (rules check
 * types and expressions with it), the project settings, the SQL files of
 * SQL features, and the diagnostics
 * of the facts found so far. Every fact the model finds goes through
 * `accept`: the rules judge it, and the reader goes on with what it describes
 * only if no rule found an error.
 */
import type { Acknowledgment } from './types.js';
import type { Diagnostic } from '../report/diagnostic.js';
import { accept } from '../rules/index.js';
import type { ModelFact } from '../rules/facts.js';
import type { SqlParser } from '../sql/parser.js';
import { NO_SQL, type SqlSources } from './sql.js';

/** ModelOptions are the project settings the model needs (from package.json "pamc"). */
export interface ModelOptions {
  /** Stripped from table names to form the noun of policy names ("pam_" turns pam_messages into "messages"). */
  prefix: string;
}

/** Reader collects the diagnostics of the facts found while a spec is read. */
export class Reader {
  readonly diagnostics: Diagnostic[] = [];
  /** What the files read so far acknowledge. */
  readonly acknowledgments: Acknowledgment[] = [];
  constructor(
    readonly parser: SqlParser,
    readonly options: ModelOptions,
    /** The SQL files `sql:` may name. */
    readonly sql: SqlSources = NO_SQL,
  ) {}

  /** Judges `fact`; true when no rule found an error in it. */
  accept(fact: ModelFact): boolean {
    return accept(fact, this.diagnostics);
  }
}
