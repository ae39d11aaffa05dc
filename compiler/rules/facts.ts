/**
 * Facts: what the stages find and the rules judge.
 *
 * A fact says what is there (a name was written, a table is created where one
 * exists, a shipped column changed, a file is in the output directory), with
 * the span to report it at; it never says whether that is wrong. Each rule
 * subscribes to kinds of facts (../rules/<id>.ts `on`) and decides. The
 * stages that find each kind are named by its group below.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { Span } from '../report/diagnostic.js';
import type { LNode } from '../load/index.js';
import type { AccessRule, Column, CustomPolicy, EnumType, Extension, Feature, Index, Located, Operation, Phase, Table } from '../model/types.js';
import type { AdditiveChange, Change } from '../diff/changes.js';
import type { ColumnState, EnumState, RuleState, TableState } from '../diff/state.js';
import type { LockEntry } from '../lock/index.js';
import type { SqlParser } from '../sql/parser.js';
import type { Relation, SqlAction } from '../sql/classify.js';

/** LoadFact is found by ../load (and the shell, for files it refused to read). */
export type LoadFact =
  | { kind: 'unreadable-file'; span: Span; path: string; reason: string }
  | { kind: 'yaml-error'; span: Span; message: string; code: string }
  | { kind: 'duplicate-key'; span: Span };

/** ValidateFact is an error of the JSON Schema (../validate), with the tree it was found in. */
export type ValidateFact = { kind: 'schema-error'; span: Span; error: ErrorObject; root: LNode };

/** Where a name is written: declared (a new name), or referenced (a name declared elsewhere). */
export type NameRole = 'declared' | 'referenced';

/** ExpressionPlace is where an expression is written: each place takes one boolean or value expression; policies may hold subqueries. */
export type ExpressionPlace = 'default' | 'check' | 'index predicate' | 'index key' | 'row filter' | 'policy expression';

/** ModelFact is found while ../model reads a file. */
export type ModelFact =
  /** A column as read. */
  | { kind: 'column'; span: Span; column: Column }
  /** An enum a feature creates, or values an extension adds to one. */
  | { kind: 'enum'; span: Span; type: EnumType }
  /** A PostgreSQL extension a feature creates. */
  | { kind: 'extension'; span: Span; name: string }
  /** A policy written out under `policies:`. */
  | { kind: 'policy'; span: Span; policy: CustomPolicy }
  /** An `acknowledge:` entry: the rule it names, and that rule's severity (null: no such rule). */
  | { kind: 'acknowledgment'; span: Span; rule: string; severity: 'error' | 'warning' | null }
  | { kind: 'name'; span: Span; name: string; what: string; role: NameRole }
  | { kind: 'derived-name'; span: Span; name: string; what: string; hint: string }
  | { kind: 'table-key'; span: Span; key: string; place: 'existing' | 'tables' | 'extend' }
  | { kind: 'type'; span: Span; type: Located<string>; parser: SqlParser }
  | { kind: 'expression'; span: Span; value: Located<string>; what: ExpressionPlace; parser: SqlParser }
  | { kind: 'environments'; span: Span; listed: readonly string[] }
  | { kind: 'row-filter'; span: Span; written: boolean; rules: number }
  | { kind: 'on-delete'; span: Span; hasReference: boolean }
  | { kind: 'feature'; span: Span; feature: Feature; wrote: { tables: boolean; extend: boolean; sql: boolean } }
  /** A `sql:` path: as written, where it leads (as paths are shown), the schema directory, whether a file is there, and the SQL files that are. */
  | { kind: 'sql-path'; span: Span; written: string; resolved: string; dir: string; found: boolean; files: readonly string[] }
  /** A SQL file that pamc cannot read through: PostgreSQL's parser refuses it (`message`), it holds no statement, or a DO block in it is in another language (`message`) or runs SQL built at run time. */
  | { kind: 'sql-text'; span: Span; file: string; problem: 'syntax' | 'empty' | 'language' | 'dynamic'; message: string }
  | { kind: 'table'; span: Span; table: Table; rls: LNode | undefined }
  | { kind: 'owner'; span: Span; table: Table; owner: Located<string>; column: Column | undefined; parser: SqlParser }
  | { kind: 'index-column'; span: Span; table: string; name: string; columns: readonly string[] }
  | { kind: 'phases'; span: Span; phases: readonly Phase[] };

/** FoldFact is found by ../diff/fold as it applies features in order. `why` explains a missing table (a later or staging-only creator). */
export type FoldFact =
  | { kind: 'create-table'; span: Span; table: Table; clash: TableState | undefined }
  | { kind: 'extend-table'; span: Span; ext: Extension; target: TableState | undefined; createdHere: boolean; tables: readonly string[]; why: string }
  | { kind: 'add-column'; span: Span; table: TableState; column: Column; clash: ColumnState | undefined }
  | { kind: 'reference'; span: Span; column: Column; target: TableState | undefined; tables: readonly string[]; why: string }
  | { kind: 'check-columns'; span: Span; table: TableState; column: Column }
  | { kind: 'column-type'; span: Span; column: Column; declared: ReadonlySet<string> }
  | { kind: 'index'; span: Span; table: TableState; index: Index; newColumns: readonly string[] }
  | { kind: 'relation'; span: Span; schema: string; name: string; what: string; holder: string | undefined }
  | { kind: 'permission'; span: Span; table: TableState; operation: Operation }
  | { kind: 'access-rule'; span: Span; table: TableState; rule: AccessRule; target: TableState | undefined; groupColumn: string | null }
  | { kind: 'new-rule'; span: Span; table: TableState; rule: AccessRule }
  /** The policies of a table's rules: a new table's (`added` null), or the rules an extension adds. */
  | { kind: 'policy-names'; span: Span; table: TableState; added: RuleState[] | null; lookup: (schema: string, name: string) => TableState | undefined }
  /** `grants: exact` in an extension of `table`. */
  | { kind: 'exact-grants'; span: Span; table: TableState }
  | { kind: 'owned-reference'; span: Span; table: TableState; column: Column; target: TableState }
  /** An enum a feature creates; `clash`: what already holds its name. */
  | { kind: 'create-enum'; span: Span; type: EnumType; clash: 'an enum' | 'a table' | null }
  /** Values a feature adds to an enum (`target`: the enum, if it exists at that point). */
  | { kind: 'extend-enum'; span: Span; type: EnumType; target: EnumState | undefined }
  /** A column of a feature that uses an enum value the same feature adds. */
  | { kind: 'enum-use'; span: Span; column: Column; value: string }
  /** Columns a table-level constraint names (`named`), against the table's (`columns`). */
  | { kind: 'table-columns'; span: Span; table: string; what: string; named: string[]; columns: string[] }
  /** `touch:` of a table: the column it names, if the table has it. */
  | { kind: 'touch'; span: Span; table: string; name: string; column: Column | undefined }
  /** A table whose row level security is waived, as the spec ends. */
  | { kind: 'waived-table'; span: Span; table: TableState }
  | { kind: 'addition'; span: Span; change: AdditiveChange }
  /**
   * One thing a statement of a feature's SQL file does (`inBlock`: inside a
   * DO block). `reaches` tells which tables of the spec at that point a
   * relation is or reads (through views of earlier SQL features), and
   * `tablesIn` which are in a schema, by name.
   */
  | {
      kind: 'sql-statement';
      span: Span;
      action: SqlAction;
      inBlock: boolean;
      reaches: (relation: Relation) => string[];
      tablesIn: (schema: string) => string[];
    };

/** HistoryFact is found by ../history, comparing the spec with what was shipped. */
export type HistoryFact =
  | { kind: 'change'; span: Span; change: Change }
  | { kind: 'unexplained-change'; span: Span; change: Change }
  | { kind: 'gone-feature'; span: Span; entry: LockEntry; phase: Phase }
  | { kind: 'gone-phase'; span: Span; phase: number; lost: readonly LockEntry[] }
  | { kind: 'moved-feature'; span: Span; feature: Feature; entry: LockEntry; before: LockEntry | undefined }
  | { kind: 'new-before-shipped'; span: Span; feature: Feature; later: Feature }
  | { kind: 'edited-feature'; span: Span; feature: Feature; entry: LockEntry; where: string }
  /** A shipped feature whose SQL file is not what shipped: the hashes (null: no SQL file) of what shipped and of what the spec has now. */
  | { kind: 'edited-sql'; span: Span; feature: Feature; entry: LockEntry; shipped: string | null; now: string | null }
  | { kind: 'base-entry'; span: Span; base: LockEntry; current: LockEntry | undefined };

/** OutputFact is found by ../output, comparing the output directory with the lock. */
export type OutputFact =
  | { kind: 'lock-unreadable'; span: Span; message: string; problem: 'unreadable' | 'conflict' | 'duplicate' }
  | { kind: 'owned-file'; span: Span; entry: LockEntry; path: string; shown: string; text: string | undefined }
  | { kind: 'version-step'; span: Span; entry: LockEntry; previous: LockEntry }
  | { kind: 'migration-name'; span: Span; feature: string; file: string }
  | { kind: 'unparsable'; span: Span; feature: string; message: string }
  | { kind: 'unbuilt-feature'; span: Span; feature: string; outDir: string }
  | { kind: 'unlisted-file'; span: Span; shown: string; interrupted: boolean; staging: boolean }
  /** A migration pamc wrote that no lock lists; `base`: a base ref says what shipped, so build may remove it. */
  | { kind: 'orphan-file'; span: Span; shown: string; base: boolean }
  /** A feature the base shipped after the branch left it, which the branch does not have yet. */
  | { kind: 'base-ahead'; span: Span; entry: LockEntry; ref: string }
  | { kind: 'rederived'; span: Span; entry: LockEntry; shown: string; text: string | undefined; expected: string }
  | { kind: 'rederived-entry'; span: Span; entry: LockEntry; expected: LockEntry | null }
  | { kind: 'foreign-file'; span: Span; shown: string; atBase: 'absent' | 'same' | 'changed' | null }
  | { kind: 'setting'; span: Span; setting: 'schema' | 'out' | 'prefix'; base: string; current: string; ref: string };

/** Fact is anything a stage finds. */
export type Fact = LoadFact | ValidateFact | ModelFact | FoldFact | HistoryFact | OutputFact;

/** FactKind names a kind of fact. */
export type FactKind = Fact['kind'];

/** FactOf is the facts of the given kinds. */
export type FactOf<K extends FactKind> = Extract<Fact, { kind: K }>;
