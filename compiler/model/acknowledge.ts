/**
 * `acknowledge: { <rule>: <reason> }` under a table, a column or an
 * extension: the warnings of that rule whose location falls inside settle
 * there, with the reason (what cannot be fixed on a shipped table).
 */
import { entry, type LEntry } from '../load/index.js';
import { findRule } from '../rules/index.js';
import { map, str } from './columns.js';
import type { Reader } from './reader.js';

export function readAcknowledgments(reader: Reader, e: LEntry): void {
  if (e.value.kind !== 'map') return;
  const scope = { file: e.keySpan.file, start: e.keySpan.start, end: Math.max(e.keySpan.end, e.value.span.end) };
  for (const a of map(entry(e.value, 'acknowledge')?.value)) {
    const reason = str(a.value) ?? '';
    if (!reader.accept({ kind: 'acknowledgment', span: a.keySpan, rule: a.key, severity: findRule(a.key)?.severity ?? null })) continue;
    reader.acknowledgments.push({ rule: a.key, reason, span: a.keySpan, scope });
  }
}
