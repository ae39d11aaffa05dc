/**
 * How a VerifyReport is shown: a text table of tables × actors × operations
 * with the failures, drift and exposure below it and a summary line, or one
 * JSON object with the same data. A run that could not finish shows why,
 * and who held the lock it waited for.
 */
import { plural } from '../report/render.js';
import type { Operation } from '../model/types.js';
import { OPERATIONS } from '../model/types.js';
import type { VerifyReport } from './index.js';
import { describeBlocker } from './locks.js';
import { ACTOR_LABEL, ACTORS, type ProbeResult } from './probes.js';
import type { AbortReason, VerifyAbort } from './session.js';

const ABORTED: Record<AbortReason, string> = {
  'lock-timeout': 'could not take a lock',
  'statement-timeout': 'a statement ran past the statement timeout',
  canceled: 'a statement was cancelled',
  interrupted: 'interrupted',
};

/** The summary line: `verify: 5 tables, 60 probes, 0 failures, 0 drift, 0 exposures; scanned 2 views and 1 function for exposure`. */
export function summaryLine(report: VerifyReport): string {
  if (report.aborted) return `verify: not verified: ${ABORTED[report.aborted.reason]}; nothing was judged`;
  const s = report.summary;
  const applied = report.failure ? `, migration ${report.failure.file} failed` : '';
  const scanned = report.failure ? '' : `; scanned ${plural(s.scanned.views, 'view')} and ${plural(s.scanned.functions, 'function')} for exposure`;
  return `verify: ${plural(s.tables, 'table')}, ${plural(s.probes, 'probe')}, ${plural(s.failures, 'failure')}, ${s.drift} drift, ${plural(s.exposures, 'exposure')}${applied}${scanned}`;
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
    const actors = ACTORS.filter((actor) => probes.some((p) => p.table === table && p.actor === actor));
    for (const [i, actor] of actors.entries()) {
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

function header(report: VerifyReport): string[] {
  const out: string[] = [];
  const where = report.target.kind === 'embedded' ? `embedded ${report.target.version}` : report.target.version;
  const hand = report.handWritten.length ? ` (${report.handWritten.length} hand-written)` : '';
  out.push(
    `pamc verify: ${report.environment}, ${plural(report.migrations.length, 'migration')}${hand} on ${where}${report.target.standin ? ' (with the Supabase auth stand-in)' : ''}`,
  );
  if (report.target.url) out.push(`database: ${report.target.url}${report.target.from ? ` (from ${report.target.from})` : ''}`);
  if (report.handWritten.length) out.push(`hand-written, applied once in version order: ${report.handWritten.join(', ')}`);
  if (report.skipped.length) out.push(`not applied (Supabase applies only <digits>_<name>.sql): ${report.skipped.join(', ')}`);
  if (report.locks.length) {
    const modes = [...new Set(report.locks.map((l) => l.mode))];
    out.push(
      `locked up front: ${modes
        .map(
          (m) =>
            `${m} on ${report.locks
              .filter((l) => l.mode === m)
              .map((l) => l.relation)
              .join(', ')}`,
        )
        .join('; ')}`,
    );
  }
  return out;
}

/** Why a run could not finish, where, and who held it up. */
export function renderAbort(a: VerifyAbort): string[] {
  const out = ['', `could not verify: ${a.message}${a.code ? ` (SQLSTATE ${a.code})` : ''}`, `  while: ${a.step}`];
  if (a.file) out.push(`  at: ${a.file}${a.line !== null ? `:${a.line}:${a.column ?? 1}` : ''}`);
  if (a.statement) out.push(`  statement: ${a.statement}`);
  if (a.waitingFor) out.push(`  waiting for: ${a.waitingFor}`);
  for (const b of a.blockers) out.push(`  blocked by: ${describeBlocker(b)}`);
  if (a.reason === 'lock-timeout' && a.blockers.length === 0)
    out.push('  blocked by: no session was seen holding the lock (the wait ended before verify looked)');
  out.push('everything verify did was rolled back; nothing was judged');
  if (a.reason === 'lock-timeout') out.push('try again when those sessions are done, or allow a longer wait with --lock-timeout');
  return out;
}

function failureLines(report: VerifyReport): string[] {
  const f = report.failure!;
  const out = [
    '',
    `error: ${f.file}:${f.line}:${f.column}: ${f.message} (SQLSTATE ${f.code})${f.pass === 2 ? ', when applied a second time: the migration is not idempotent' : ''}`,
    `  statement: ${f.statement}`,
  ];
  if (f.detail) out.push(`  detail: ${f.detail}`);
  if (f.where) out.push(`  where: ${f.where.replace(/\n/g, '; ')}`);
  if (f.hint) out.push(`  hint: ${f.hint}`);
  out.push('nothing was compared or probed: every migration must apply first');
  return out;
}

/** Which rule kinds the probes tried, the waived tables, and the tables whose policies are written out (not probed). */
function probedLines(report: VerifyReport): string[] {
  const kinds = Object.entries(report.probed.kinds).map(([k, n]) => `${k} (${plural(n, 'table')})`);
  const out = ['', `probed: ${kinds.length ? kinds.join(', ') : 'no table'}`];
  for (const w of report.waived) out.push(`${w.table}: row level security waived by the spec (${w.reason}); only the service role may reach it`);
  for (const t of report.probed.unprobed) out.push(`${t}: its policies are written out in the spec; not probed (their text says what they allow)`);
  return out;
}

function verdictLines(report: VerifyReport): string[] {
  const out = [report.handWritten.length ? 'applied twice: every pamc migration is idempotent' : 'applied twice: every migration is idempotent'];
  const matrix = renderMatrix(report.probes);
  if (matrix) out.push('', matrix.trimEnd(), '', "ok: the operation works on user A's row; denied: it sees and changes nothing; FAIL: see below");
  out.push(...probedLines(report));
  const failed = report.probes.filter((p) => !p.pass);
  if (failed.length || report.drift.length || report.exposures.length) out.push('');
  // A probe that could not run fails every cell of its table for one reason: say it once.
  const notRun = new Set<string>();
  for (const p of failed) {
    if (p.outcome === 'not run') {
      if (notRun.has(`${p.table}\0${p.detail}`)) continue;
      notRun.add(`${p.table}\0${p.detail}`);
      out.push(`fail: ${p.table}: not probed: ${p.detail ?? ''}`);
    } else out.push(`fail: ${p.table}: ${ACTOR_LABEL[p.actor]} ${p.operation}: ${p.detail ?? p.outcome}`);
  }
  for (const d of report.drift) out.push(`drift: ${d.table}${d.column ? `.${d.column}` : ''}: ${d.message}`);
  for (const e of report.exposures) out.push(`exposed: ${e.message}`);
  return out;
}

/** The whole report as text. */
export function renderVerifyText(report: VerifyReport, timings = false): string {
  const out = header(report);
  if (report.aborted) out.push(...renderAbort(report.aborted));
  else if (report.failure) out.push(...failureLines(report));
  else out.push(...verdictLines(report));
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
