/**
 * The model: the normalized, typed form of a spec.
 *
 * Input: located YAML trees (../load) that passed the JSON Schema (../validate).
 * Output: a Spec, in which every name, type and expression carries the Span it
 * came from so that later stages can point at it.
 */
import type { Span } from '../report/diagnostic.js';

/** Operation is one of the four row operations an owner rule can allow. */
export type Operation = 'select' | 'insert' | 'update' | 'delete';
export const OPERATIONS: readonly Operation[] = ['select', 'insert', 'update', 'delete'];

/** Environment is where a feature's migration is applied. Staging receives everything production does. */
export type Environment = 'production' | 'staging';

/** OnDelete is the referential action of a foreign key. */
export type OnDelete = 'cascade' | 'restrict' | 'set null' | 'set default' | 'no action';

/** Located wraps a value with the span of the YAML node it came from. */
export interface Located<T> {
  value: T;
  span: Span;
}

/** Reference is the target of a foreign key: schema.table(column). */
export interface Reference {
  schema: string;
  table: string;
  column: string;
  onDelete: OnDelete | null;
  span: Span;
}

/** Column describes one column as the spec declares it. */
export interface Column {
  name: string;
  span: Span;
  type: Located<string>;
  /** The type's name as the parser reads it (`int4`, `public.mood`; no pg_catalog), or null when it does not parse (derived). */
  typeName: string[] | null;
  primaryKey: boolean;
  notNull: boolean;
  unique: boolean;
  /** SQL expression text; numbers and booleans are already rendered as literals. */
  default: Located<string> | null;
  references: Reference | null;
  /** Allowed values, emitted as CHECK (column IN (...)). */
  in: Located<Array<string | number>> | null;
  check: Located<string> | null;
  /** Columns the check expression names (derived; not part of the spec). */
  checkColumns: string[];
  comment: string | null;
}

/** Index describes a secondary index. */
export interface Index {
  name: string;
  columns: string[];
  unique: boolean;
  where: Located<string> | null;
  span: Span;
  /** True when the name was derived rather than written. */
  derivedName: boolean;
}

/** ApiRole is a role of Supabase's API that policies are for: the anon key, or a signed-in user. */
export type ApiRole = 'anon' | 'authenticated';
export const API_ROLES: readonly ApiRole[] = ['anon', 'authenticated'];

/** OwnerRule: rows whose owner column is the signed-in user's id. */
export interface OwnerRule {
  kind: 'owner';
  column: Located<string>;
  allow: Located<Operation[]>;
  span: Span;
}

/** OpenRule: every row to anyone (`public`: anon and signed-in users) or to every signed-in user (`signed_in`), optionally only rows where an expression holds. */
export interface OpenRule {
  kind: 'public' | 'signed_in';
  allow: Located<Operation[]>;
  where: Located<string> | null;
  /** Columns `where` names (derived). */
  whereColumns: string[];
  span: Span;
}

/** ParentRule: rows whose `column` references a row of another table that the user owns (through that table's owner or parent rule). */
export interface ParentRule {
  kind: 'parent';
  column: Located<string>;
  allow: Located<Operation[]>;
  span: Span;
}

/** MembersRule: rows of a group (`group` column) to the users the membership table (`through`) lists for it, optionally only those with one of `roles`. */
export interface MembersRule {
  kind: 'members';
  group: Located<string>;
  through: Located<string>;
  /** The membership table's user column (default user_id). */
  user: Located<string>;
  /** The membership table's role column, and the roles that qualify; null for every member. */
  roles: { column: string; values: Located<string[]> } | null;
  allow: Located<Operation[]>;
  span: Span;
}

/** PolicyCommand is what a hand-written policy is for. */
export type PolicyCommand = Operation | 'all';

/** CustomPolicy is a policy written out in the spec (the escape hatch), parse-checked. */
export interface CustomPolicy {
  kind: 'policy';
  name: Located<string>;
  command: PolicyCommand;
  to: ApiRole[];
  using: Located<string> | null;
  withCheck: Located<string> | null;
  span: Span;
}

/** AccessRule is one rule of a table's row level security; each becomes its own named, permissive policies. */
export type AccessRule = OwnerRule | OpenRule | ParentRule | MembersRule | CustomPolicy;

/** RlsRules is row level security with access rules; none (`service_only`) leaves the table to the service role. */
export interface RlsRules {
  kind: 'rules';
  rules: AccessRule[];
  /** The noun used in policy names ("messages"). */
  label: string;
  serviceOnly: boolean;
  span: Span;
}

/** RlsWaiver is an explicit, reasoned decision to leave a table without RLS (and out of the API's reach). */
export interface RlsWaiver {
  kind: 'disabled';
  reason: string;
  span: Span;
}

/** The owner rule of a table's rules, if it has one. */
export function ownerRule(rls: RlsRules | RlsWaiver | null): OwnerRule | null {
  return rls?.kind === 'rules' ? ((rls.rules.find((r) => r.kind === 'owner') as OwnerRule | undefined) ?? null) : null;
}

/** Table is a table that a feature creates. */
export interface Table {
  schema: string;
  name: string;
  span: Span;
  comment: string | null;
  columns: Column[];
  indexes: Index[];
  /** null when the spec says nothing about RLS (an error, reported by the model stage). */
  rls: RlsRules | RlsWaiver | null;
}

/** ExtensionRls is what an extension adds to a table's row level security. */
export interface ExtensionRls {
  /** Operations to add to the table's owner rule. */
  allow: Located<Operation[]> | null;
  /** New rules (not owner rules): each widens who reaches the table. */
  rules: AccessRule[];
  /** Why access is widened, required when `rules` is not empty on a shipped table. */
  reason: Located<string> | null;
  span: Span;
}

/** Extension adds columns, indexes, access rules or exact grants to a table an earlier feature created. */
export interface Extension {
  schema: string;
  name: string;
  span: Span;
  columns: Column[];
  indexes: Index[];
  rls: ExtensionRls | null;
  /** `grants: exact`: revoke from anon and authenticated what no rule of the table uses. */
  exactGrants: Located<true> | null;
}

/** Feature is one unit of change; it becomes exactly one migration file. */
export interface Feature {
  name: string;
  span: Span;
  phase: number;
  phaseTitle: string;
  file: string;
  description: string | null;
  environments: Environment[];
  draft: boolean;
  tables: Table[];
  extends: Extension[];
  /**
   * Whether the tables it creates get exact grants (anon and authenticated
   * hold only what the rules allow). True for every feature built now; a
   * feature shipped by a version of pamc before exact grants keeps what its
   * lock entry says.
   */
  exactGrants: boolean;
}

/** ExistingTable is a table pamc did not create but that the spec may reference or extend. */
export interface ExistingTable {
  schema: string;
  name: string;
  span: Span;
  columns: Column[];
  phase: number;
}

/** Phase is one YAML file of the spec. */
export interface Phase {
  phase: number;
  title: string;
  draft: boolean;
  file: string;
  span: Span;
  /** Span of the phase number. */
  numberSpan: Span;
  /** Span of the `features:` key, where a vanished feature is reported. */
  featuresSpan: Span;
  features: Feature[];
  existing: ExistingTable[];
}

/** Spec is the whole schema: phases in phase order, features in file order. */
export interface Spec {
  phases: Phase[];
  /** Warnings the spec acknowledges, where it cannot fix them (a shipped table). */
  acknowledgments: Acknowledgment[];
}

/**
 * Acknowledgment settles one rule's warnings in one place: `acknowledge:
 * { <rule>: <reason> }` under a table, a column or an extension. `scope` is
 * the YAML it is written in (the warnings whose location falls inside).
 */
export interface Acknowledgment {
  rule: string;
  reason: string;
  span: Span;
  scope: Span;
}

/** All features of a spec in fold order: (phase, order in file). */
export function featuresInOrder(spec: Spec): Feature[] {
  return spec.phases.flatMap((p) => p.features);
}
