/** With a base: every entry of the base lock must still be in the lock, identical. */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Lock } from '../lock/index.js';

export function judgeBaseLock(base: Lock, current: Lock, behind: ReadonlySet<string> = new Set()): Diagnostic[] {
  const at = new Map(current.entries.map((e, i) => [e.feature, i]));
  // What the base shipped after the branch left it is reported once, as the branch being behind (../history base-ahead).
  return base.entries.flatMap((entry) => {
    if (behind.has(entry.feature) && !at.has(entry.feature)) return [];
    const i = at.get(entry.feature);
    const span = i === undefined ? current.span : (current.spans[i] ?? current.span);
    return judge({ kind: 'base-entry', span, base: entry, current: i === undefined ? undefined : current.entries[i] });
  });
}
