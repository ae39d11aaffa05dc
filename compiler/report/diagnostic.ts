/**
 * Diagnostics: what every stage returns when input is wrong.
 *
 * A diagnostic holds a character range into one source file; line and column
 * are computed only when it is rendered (see ./render.ts), so stages never
 * need to know about lines.
 */

/** Severity says whether a diagnostic fails the command (error) or only informs (warning). */
export type Severity = 'error' | 'warning';

/** Span is a half-open range [start, end) of UTF-16 offsets into the text of `file`. */
export interface Span {
  file: string;
  start: number;
  end: number;
}

/** Diagnostic is one problem found in the input, tied to a rule of the registry. */
export interface Diagnostic {
  rule: string;
  severity: Severity;
  message: string;
  hint?: string;
  span?: Span;
  /** The reason the spec gives for a warning it acknowledges (`acknowledge:`); such warnings are not printed unless asked for. */
  acknowledged?: string;
}

/** SourceFile is one input file as the core sees it: a path for people, and its text. */
export interface SourceFile {
  path: string;
  text: string;
}

/** Position is a 1-based line and column. */
export interface Position {
  line: number;
  column: number;
}

/** LineIndex maps offsets of one text to lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }
  position(offset: number): Position {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }
  lineText(line: number): string {
    const start = this.starts[line - 1] ?? this.text.length;
    const next = this.starts[line];
    const raw = this.text.slice(start, next === undefined ? this.text.length : next - 1);
    return raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  }
}

/** Orders diagnostics by file, then offset, then rule id, so output is stable. */
export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  const fa = a.span?.file ?? '';
  const fb = b.span?.file ?? '';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const sa = a.span?.start ?? -1;
  const sb = b.span?.start ?? -1;
  if (sa !== sb) return sa - sb;
  if (a.rule !== b.rule) return a.rule < b.rule ? -1 : 1;
  return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
