/**
 * The shape of a rule. A rule is one kind of problem pamc can report: a
 * kebab-case id that is also its file name, its doc page
 * (docs/rules/<id>.md) and its fixture folder (tests/fixtures/rules/<id>/).
 *
 * The stages find facts (./facts.ts): a name was written, a table is
 * created, a shipped column changed. A rule subscribes to kinds of facts and
 * its check decides what is wrong with one, returning findings; the stage
 * that found the fact reports them (./index.ts judge). So each rule's
 * condition, message and help live in the rule's own file.
 */
import type { Severity, Span } from '../report/diagnostic.js';
import type { Fact, FactKind, FactOf } from './facts.js';

/** Stage names the part of the pipeline that finds the facts a rule judges (shown in its doc page). */
export type Stage = 'load' | 'validate' | 'model' | 'fold' | 'history' | 'output';

/** Finding is what a rule's check returns for one fact. */
export interface Finding {
  message: string;
  hint: string;
  /** Where to point; the fact's own span when omitted. */
  span?: Span;
}

/** Rule is a rule's metadata and its check of the facts it subscribes to (`on`). */
export interface Rule<K extends FactKind = FactKind> {
  id: string;
  severity: Severity;
  stage: Stage;
  /** One sentence: what the rule catches. */
  summary: string;
  /** The kinds of facts the check judges. */
  on: readonly K[];
  check(fact: FactOf<K>): Finding | readonly Finding[] | null;
}

/** Declares a rule, checking that its check takes the facts it subscribes to. */
export function defineRule<const Id extends string, K extends FactKind>(rule: Rule<K> & { id: Id }): Rule & { id: Id } {
  return rule as unknown as Rule & { id: Id };
}

/** The facts of `kinds`, for a check that switches on the kind. */
export type { Fact, FactKind };
