/**
 * The shape of a rule. A rule is one kind of problem pamc can report: a
 * kebab-case id that is also its file name, its doc page
 * (docs/rules/<id>.md) and its fixture folder (tests/fixtures/rules/<id>/).
 */
import type { Severity, Span } from '../report/diagnostic.js';
import type { Change } from '../diff/changes.js';

/** Stage names the part of the pipeline that reports the rule. */
export type Stage = 'load' | 'validate' | 'model' | 'fold' | 'history' | 'output';

/**
 * Mode says what a change list describes: `history`, an edit of a feature
 * that was already emitted (every change is forbidden, rules name why);
 * `migration`, the delta of a new feature (only unsafe additions are judged).
 */
export type Mode = 'history' | 'migration';

/** Finding is what a rule's check returns for one change. */
export interface Finding {
  message: string;
  hint: string;
  /** Where to point; the change's default location when omitted. */
  span?: Span;
}

/** Rule is the metadata of a rule, and its check when it judges changes. */
export interface Rule {
  id: string;
  severity: Severity;
  stage: Stage;
  /** One sentence: what the rule catches. */
  summary: string;
  check?: (change: Change, mode: Mode) => Finding | null;
}
