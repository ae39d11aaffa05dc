/**
 * Rendering diagnostics: human text, JSON, GitHub workflow annotations, SARIF.
 *
 * Input: diagnostics and the texts of the files they point into.
 * Output: strings. Line and column are computed here, from the spans.
 */
import { RULES } from '../rules/index.js';
import { LineIndex, type Diagnostic, type Position } from './diagnostic.js';

/** Style colours text for a terminal (the CLI's styleText), or leaves it as it is. */
export type Style = (format: 'red' | 'yellow' | 'blue' | 'bold', text: string) => string;
const plain: Style = (_format, text) => text;
type Color = 'error' | 'warning' | 'strong' | 'frame' | 'errorMark' | 'warningMark';
const COLORS: Record<Color, Array<Parameters<Style>[0]>> = {
  error: ['bold', 'red'],
  warning: ['bold', 'yellow'],
  strong: ['bold'],
  frame: ['blue'],
  errorMark: ['red'],
  warningMark: ['yellow'],
};

/** Sources maps a file path to its text, for lines and columns. */
export type Sources = ReadonlyMap<string, string>;

/** Formats the `--format` option accepts. */
export { FORMATS, type Format } from './formats.js';

/** Location is a diagnostic's place in lines and columns (1-based; end is exclusive). */
export interface Location {
  file: string;
  start: Position;
  end: Position;
}

class Locator {
  private readonly indexes = new Map<string, LineIndex>();
  constructor(private readonly sources: Sources) {}
  index(file: string): LineIndex | null {
    let index = this.indexes.get(file);
    if (!index) {
      const text = this.sources.get(file);
      if (text === undefined) return null;
      index = new LineIndex(text);
      this.indexes.set(file, index);
    }
    return index;
  }
  locate(d: Diagnostic): Location | null {
    if (!d.span) return null;
    const index = this.index(d.span.file);
    if (!index) return { file: d.span.file, start: { line: 1, column: 1 }, end: { line: 1, column: 1 } };
    return { file: d.span.file, start: index.position(d.span.start), end: index.position(Math.max(d.span.end, d.span.start)) };
  }
}

/** Errors, warnings (not acknowledged ones), and the warnings the spec acknowledges. */
export function summary(diagnostics: readonly Diagnostic[]): { errors: number; warnings: number; acknowledged: number } {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const acknowledged = diagnostics.filter((d) => d.acknowledged !== undefined).length;
  return { errors, warnings: diagnostics.length - errors - acknowledged, acknowledged };
}

/** `1 table`, `2 tables`. */
export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Control characters (C0, DEL, C1): a spec file must not drive the terminal that shows its diagnostics. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function escapeControls(text: string): string {
  return text.replace(CONTROL, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Longest source line shown; a longer one is cut to a window around the column, marked with `…`. */
const MAX_SNIPPET = 120;

function clipLine(line: string, column: number, width: number): { line: string; column: number; width: number } {
  if (line.length <= MAX_SNIPPET) return { line, column, width };
  const from = Math.max(0, Math.min(column - 1 - 40, line.length - MAX_SNIPPET));
  const to = from + MAX_SNIPPET;
  const head = from > 0 ? '…' : '';
  return {
    line: `${head}${line.slice(from, to)}${to < line.length ? '…' : ''}`,
    column: column - from + head.length,
    width: Math.min(width, to - (column - 1)),
  };
}

/** Human text in the style of a compiler: header, location, the line with an underline, help. */
export function renderText(diagnostics: readonly Diagnostic[], sources: Sources, style: Style = plain, showAcknowledged = false): string {
  const c = (code: Color, text: string): string => COLORS[code].reduceRight((t, f) => style(f, t), text);
  const locator = new Locator(sources);
  const out: string[] = [];
  for (const d of diagnostics) {
    if (d.acknowledged !== undefined && !showAcknowledged) continue;
    const sev = d.severity === 'error' ? c('error', 'error') : c('warning', 'warning');
    out.push(`${sev}${c('strong', `[${d.rule}]: ${escapeControls(d.message)}`)}`);
    const loc = locator.locate(d);
    if (loc) {
      const gutter = String(loc.start.line).length;
      const pad = ' '.repeat(gutter);
      out.push(`${pad}${c('frame', '-->')} ${loc.file}:${loc.start.line}:${loc.start.column}`);
      const index = locator.index(loc.file);
      if (index) {
        const full = index.lineText(loc.start.line);
        const fullWidth = loc.end.line === loc.start.line ? Math.max(1, loc.end.column - loc.start.column) : Math.max(1, full.length - loc.start.column + 1);
        // Cut first, then clean: each replacement keeps one character per character, and a long line is shown by many diagnostics.
        const clipped = clipLine(full, loc.start.column, fullWidth);
        const { column, width } = clipped;
        const line = clipped.line.replace(/\t/g, ' ').replace(CONTROL, '\uFFFD');
        out.push(`${pad} ${c('frame', '|')}`);
        out.push(`${c('frame', `${loc.start.line} |`)} ${line}`);
        out.push(
          `${pad} ${c('frame', '|')} ${' '.repeat(column - 1)}${c(d.severity === 'error' ? 'errorMark' : 'warningMark', '^'.repeat(Math.min(width, Math.max(1, line.length - column + 1))))}`,
        );
      }
    }
    const margin = ' '.repeat(loc ? String(loc.start.line).length : 0);
    if (d.hint) out.push(`${margin} ${c('frame', '=')} help: ${escapeControls(d.hint)}`);
    if (d.acknowledged !== undefined) out.push(`${margin} ${c('frame', '=')} acknowledged: ${escapeControls(d.acknowledged)}`);
    out.push('');
  }
  const { errors, warnings, acknowledged } = summary(diagnostics);
  if (errors || warnings || acknowledged)
    out.push(
      `${plural(errors, 'error')}, ${plural(warnings, 'warning')}${acknowledged ? ` (and ${acknowledged} acknowledged${showAcknowledged ? '' : ': --show-acknowledged lists them'})` : ''}`,
    );
  return out.join('\n') + (out.length ? '\n' : '');
}

/**
 * The diagnostics a pull request should be annotated with: every error
 * (an error anywhere fails the check), and the warnings located on lines it
 * changed (`changed`: file → ranges of line numbers).
 */
export function onChangedLines(
  diagnostics: readonly Diagnostic[],
  sources: Sources,
  changed: ReadonlyMap<string, ReadonlyArray<readonly [number, number]>>,
): Diagnostic[] {
  const locator = new Locator(sources);
  return diagnostics.filter((d) => {
    if (d.severity === 'error') return true;
    const loc = locator.locate(d);
    const ranges = loc ? changed.get(loc.file) : undefined;
    return !!loc && !!ranges && ranges.some(([a, b]) => loc.start.line <= b && loc.end.line >= a);
  });
}

/** JSON: one object with every diagnostic, its location in lines and columns, and a summary. */
export function renderJson(diagnostics: readonly Diagnostic[], sources: Sources, extra: Record<string, unknown> = {}): string {
  const locator = new Locator(sources);
  const items = diagnostics.map((d) => {
    const loc = locator.locate(d);
    return {
      rule: d.rule,
      severity: d.severity,
      message: d.message,
      hint: d.hint ?? null,
      file: loc?.file ?? null,
      line: loc?.start.line ?? null,
      column: loc?.start.column ?? null,
      endLine: loc?.end.line ?? null,
      endColumn: loc?.end.column ?? null,
      acknowledged: d.acknowledged ?? null,
    };
  });
  return `${JSON.stringify({ ...extra, diagnostics: items, summary: summary(diagnostics) }, null, 2)}\n`;
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** GitHub Actions workflow commands: one `::error` or `::warning` line per diagnostic. */
export function renderGithub(diagnostics: readonly Diagnostic[], sources: Sources): string {
  const locator = new Locator(sources);
  return diagnostics
    .filter((d) => d.acknowledged === undefined)
    .map((d) => {
      const loc = locator.locate(d);
      const props = [];
      if (loc) {
        props.push(`file=${escapeProperty(loc.file)}`, `line=${loc.start.line}`, `col=${loc.start.column}`);
        if (loc.end.line !== loc.start.line || loc.end.column > loc.start.column) props.push(`endLine=${loc.end.line}`, `endColumn=${loc.end.column}`);
      }
      props.push(`title=${escapeProperty(d.rule)}`);
      const text = d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message;
      return `::${d.severity === 'error' ? 'error' : 'warning'} ${props.join(',')}::${escapeData(text)}\n`;
    })
    .join('');
}

/** SARIF 2.1.0, with every registered rule in the driver and one result per diagnostic. */
export function renderSarif(diagnostics: readonly Diagnostic[], sources: Sources, version: string): string {
  const locator = new Locator(sources);
  const rules = RULES.map((r) => ({
    id: r.id,
    name: r.id,
    shortDescription: { text: r.summary },
    help: { text: `pamc explain ${r.id} (docs/rules/${r.id}.md)` },
    defaultConfiguration: { level: r.severity === 'error' ? 'error' : 'warning' },
  }));
  const index = new Map(RULES.map((r, i) => [r.id as string, i]));
  const results = diagnostics.map((d) => {
    const loc = locator.locate(d);
    const result: Record<string, unknown> = {
      ruleId: d.rule,
      ruleIndex: index.get(d.rule) ?? -1,
      level: d.severity === 'error' ? 'error' : 'warning',
      message: { text: d.hint ? `${d.message}\nhelp: ${d.hint}` : d.message },
    };
    if (d.acknowledged !== undefined) result.suppressions = [{ kind: 'inSource', justification: d.acknowledged }];
    if (loc) {
      result.locations = [
        {
          physicalLocation: {
            artifactLocation: { uri: loc.file },
            region: { startLine: loc.start.line, startColumn: loc.start.column, endLine: loc.end.line, endColumn: Math.max(loc.end.column, loc.start.column) },
          },
        },
      ];
    }
    return result;
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'pamc', version, rules } }, results }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
