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

/** OwnerRls is an owner-based row level security rule. */
export interface OwnerRls {
  kind: 'owner';
  owner: Located<string>;
  allow: Located<Operation[]>;
  /** The noun used in policy names ("messages"). */
  label: string;
  span: Span;
}

/** RlsWaiver is an explicit, reasoned decision to leave a table without RLS. */
export interface RlsWaiver {
  kind: 'disabled';
  reason: string;
  span: Span;
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
  rls: OwnerRls | RlsWaiver | null;
}

/** Extension adds columns, indexes or owner permissions to a table an earlier feature created. */
export interface Extension {
  schema: string;
  name: string;
  span: Span;
  columns: Column[];
  indexes: Index[];
  /** Operations to add to the table's owner rule. */
  allow: Located<Operation[]> | null;
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
}

/** All features of a spec in fold order: (phase, order in file). */
export function featuresInOrder(spec: Spec): Feature[] {
  return spec.phases.flatMap((p) => p.features);
}
