/** With a base: every entry of the base lock must still be in the lock, identical. */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Lock } from '../lock/index.js';

export function judgeBaseLock(base: Lock, current: Lock): Diagnostic[] {
  const at = new Map(current.entries.map((e, i) => [e.feature, i]));
  return base.entries.flatMap((entry) => {
    const i = at.get(entry.feature);
    const span = i === undefined ? current.span : (current.spans[i] ?? current.span);
    return judge({ kind: 'base-entry', span, base: entry, current: i === undefined ? undefined : current.entries[i] });
  });
}
