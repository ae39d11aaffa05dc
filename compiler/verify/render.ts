/**
 * How a VerifyReport is shown: a text table of tables × actors × operations
 * with the failures and drift below it and a summary line, or one JSON
 * object with the same data.
 */
import type { Operation } from '../model/types.js';
import { OPERATIONS } from '../model/types.js';
import type { VerifyReport } from './index.js';
import { ACTORS, type Actor, type ProbeResult } from './probes.js';

const ACTOR_LABEL: Record<Actor, string> = { owner: 'owner (A)', other: 'other (B)', anon: 'anon' };

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary line: `verify: 5 tables, 60 probes, 0 failures, 0 drift`. */
export function summaryLine(report: VerifyReport): string {
  const s = report.summary;
  const applied = report.failure ? `, migration ${report.failure.file} failed` : '';
  return `verify: ${plural(s.tables, 'table')}, ${plural(s.probes, 'probe')}, ${plural(s.failures, 'failure')}, ${s.drift} drift${applied}`;
}

function cell(p: ProbeResult | undefined): string {
  if (!p) return '-';
  if (p.pass) return p.expect === 'works' ? 'ok' : 'denied';
  return 'FAIL';
}

/** The probe matrix as aligned text. */
export function renderMatrix(probes: readonly ProbeResult[]): string {
  const tables = [...new Set(probes.map((p) => p.table))];
  if (tables.length === 0) return '';
  const header = ['table', 'actor', ...OPERATIONS];
  const rows: string[][] = [];
  for (const table of tables) {
    for (const [i, actor] of ACTORS.entries()) {
      const find = (op: Operation): ProbeResult | undefined => probes.find((p) => p.table === table && p.actor === actor && p.operation === op);
      rows.push([i === 0 ? table : '', ACTOR_LABEL[actor], ...OPERATIONS.map((op) => cell(find(op)))]);
    }
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string =>
    r
      .map((v, c) => v.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** The whole report as text. */
export function renderVerifyText(report: VerifyReport, timings = false): string {
  const out: string[] = [];
  const where = report.target.kind === 'embedded' ? `embedded ${report.target.version}` : report.target.version;
  out.push(
    `pamc verify: ${report.environment}, ${plural(report.migrations.length, 'migration')} on ${where}${report.target.standin ? ' (with the Supabase auth stand-in)' : ''}`,
  );
  const f = report.failure;
  if (f) {
    out.push('');
    out.push(
      `error: ${f.file}:${f.line}:${f.column}: ${f.message} (SQLSTATE ${f.code})${f.pass === 2 ? ', when applied a second time: the migration is not idempotent' : ''}`,
    );
    out.push(`  statement: ${f.statement}`);
    if (f.detail) out.push(`  detail: ${f.detail}`);
    if (f.where) out.push(`  where: ${f.where.replace(/\n/g, '; ')}`);
    if (f.hint) out.push(`  hint: ${f.hint}`);
    out.push('nothing was compared or probed: every migration must apply first');
  } else {
    out.push(`applied twice: every migration is idempotent`);
    const matrix = renderMatrix(report.probes);
    if (matrix) out.push('', matrix.trimEnd(), '', 'ok: the operation works on the own row; denied: it sees and changes nothing; FAIL: see below');
    if (report.waived.length) out.push('');
    for (const w of report.waived) out.push(`${w.table}: row level security waived by the spec (${w.reason}); no probes`);
    const failed = report.probes.filter((p) => !p.pass);
    if (failed.length || report.drift.length) out.push('');
    for (const p of failed) out.push(`fail: ${p.table}: ${ACTOR_LABEL[p.actor]} ${p.operation}: ${p.detail ?? p.outcome}`);
    for (const d of report.drift) out.push(`drift: ${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`);
  }
  if (timings) {
    out.push('');
    for (const [step, ms] of Object.entries(report.timings)) out.push(`timing ${step} ${ms.toFixed(0)} ms`);
  }
  out.push('', summaryLine(report));
  return `${out.join('\n')}\n`;
}

/** The whole report as JSON. */
export function renderVerifyJson(report: VerifyReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
