/** With `--base`: every entry of the base lock must still be in the lock, identical and in place. */
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import type { Lock } from '../lock/index.js';

export function judgeBaseLock(base: Lock, current: Lock): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [position, entry] of base.entries.entries()) {
    const now = current.entries[position];
    const span = now ? (current.spans[position] ?? current.span) : current.span;
    const kept = current.entries.some((x) => x.feature === entry.feature);
    out.push(...judge({ kind: 'base-entry', span, position, base: entry, current: now, kept }));
  }
  return out;
}
