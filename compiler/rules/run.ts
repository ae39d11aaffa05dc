/**
 * Running the change rules: every registered rule with a check judges every
 * change. In history mode a change no rule names is still an error
 * (modify-emitted-feature): an emitted feature is frozen.
 */
import type { Diagnostic, Span } from '../report/diagnostic.js';
import type { Change } from '../diff/changes.js';
import { diagnostic, RULES, type RuleId } from './index.js';
import type { Mode, Rule } from './rule.js';
import { describeChange } from './describe.js';

/** Judges `changes`; `locate` gives the default place to report a change. */
export function runRules(changes: readonly Change[], mode: Mode, locate: (change: Change) => Span): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const change of changes) {
    let named = false;
    for (const rule of RULES as readonly Rule[]) {
      const finding = rule.check?.(change, mode);
      if (!finding) continue;
      named = true;
      out.push(diagnostic(rule.id as RuleId, finding.span ?? locate(change), finding.message, finding.hint));
    }
    if (!named && mode === 'history') {
      out.push(
        diagnostic(
          'modify-emitted-feature',
          locate(change),
          `${describeChange(change)}, but its feature was already emitted and its migration is frozen`,
          'leave the emitted feature as it was and say the addition in a new feature, with `extend:` for tables that exist',
        ),
      );
    }
  }
  return out;
}
