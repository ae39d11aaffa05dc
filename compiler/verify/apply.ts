/**
 * Applying migrations: statement by statement, each under a savepoint
 * (./session step), in version order, then pamc's own files a second time
 * to prove they are idempotent; and, on a server, the table locks they need
 * taken up front in one step.
 *
 * Input: a Session and the split migrations. Output: the first ApplyFailure
 * (file, pass, line, column, statement, SQLSTATE), or null.
 */
import { LineIndex } from '../report/diagnostic.js';
import type { DbError } from './db.js';
import type { MigrationFile } from './expected.js';
import { LOCKABLE_SQL, lockPlan, lockSql, strongestPerTable, type PlannedLock } from './locks.js';
import type { Session } from './session.js';
import { lineAt, offsetOfPosition, positionOf, statementHead, type SplitMigration, type SplitProblem, type StatementRange } from './split.js';

/** ApplyFailure is a migration PostgreSQL (or its parser) refused: where, which statement, and why. */
export interface ApplyFailure {
  file: string;
  /** 1: the first application; 2: the second (idempotency). */
  pass: 1 | 2;
  line: number;
  column: number;
  statement: string;
  code: string;
  message: string;
  detail: string | null;
  hint: string | null;
  where: string | null;
}

type Refusal = Pick<DbError, 'code' | 'message'> & Partial<Pick<DbError, 'detail' | 'hint' | 'where'>>;

/** The failure of statement `s` of `file`, pointing at `offset` (its first token by default). */
export function failureAt(
  file: MigrationFile,
  pass: 1 | 2,
  s: StatementRange,
  err: Refusal,
  offset: number = s.code,
  lines = new LineIndex(file.text),
): ApplyFailure {
  const at = lines.position(offset);
  return {
    file: file.path,
    pass,
    line: at.line,
    column: at.column,
    statement: statementHead(file.text, s),
    code: err.code,
    message: err.message,
    detail: err.detail ?? null,
    hint: err.hint ?? null,
    where: err.where ?? null,
  };
}

/** The failure of a file that cannot be split into statements (./split): a parse error at the parser's position, or transaction control. */
export function problemFailure(p: SplitProblem): ApplyFailure {
  if (p.statement) return failureAt(p.file, 1, p.statement, p, p.offset);
  const at = positionOf(p.file.text, p.offset);
  const message = `${p.message} (PostgreSQL's parser rejects the file, so verify cannot apply it statement by statement)`;
  return {
    file: p.file.path,
    pass: 1,
    line: at.line,
    column: at.column,
    statement: lineAt(p.file.text, p.offset),
    code: p.code,
    message,
    detail: null,
    hint: null,
    where: null,
  };
}

/**
 * Applies every migration in version order, then pamc's own again (pass 2:
 * each must be idempotent). Hand-written files are applied once: Supabase
 * applies each file once, and only pamc promises that its files can run twice.
 */
export async function applyMigrations(
  session: Session,
  migrations: readonly SplitMigration[],
  progress: (message: string) => void,
): Promise<ApplyFailure | null> {
  for (const pass of [1, 2] as const) {
    const files = pass === 1 ? migrations : migrations.filter((m) => !m.file.handWritten);
    progress(`applying ${files.length} migration${files.length === 1 ? '' : 's'}${pass === 2 ? ' again (idempotency)' : ''}`);
    for (const m of files) {
      const failure = await applyMigration(session, m, pass);
      if (failure) return failure;
    }
  }
  return null;
}

async function applyMigration(session: Session, m: SplitMigration, pass: 1 | 2): Promise<ApplyFailure | null> {
  const { file } = m;
  const lines = new LineIndex(file.text);
  for (const s of m.statements) {
    const piece = file.text.slice(s.start, s.end);
    const at = lines.position(s.code);
    const place = {
      step: `applying ${file.path}${pass === 2 ? ' again' : ''}`,
      file: file.path,
      line: at.line,
      column: at.column,
      statement: statementHead(file.text, s),
    };
    session.doing = place.step;
    const err = await session.step(piece, place);
    if (err) return failureAt(file, pass, s, err, err.position !== null ? s.start + offsetOfPosition(piece, err.position) : s.code, lines);
  }
  return null;
}

/**
 * Takes the table locks the migrations will take (./locks lockPlan) in one
 * step, all or none: while verify waits for one table it holds no other, and
 * once it has them, the migrations wait for nothing on those tables. Locks
 * on tables that do not exist yet are not needed (a table verify creates is
 * invisible to other sessions). Returns the locks taken.
 */
export async function lockUpFront(session: Session, migrations: readonly SplitMigration[]): Promise<PlannedLock[]> {
  const plan = lockPlan(migrations);
  if (plan.length === 0) return [];
  session.doing = 'taking the locks the migrations need, up front';
  const rows = (await session.query(LOCKABLE_SQL, [plan.map((l) => l.relation), plan.map((l) => l.unlessExists)])).rows;
  const take = strongestPerTable(rows.map((r) => plan[Number(r.i) - 1]!).filter(Boolean));
  if (take.length === 0) return [];
  const statement = lockSql(take);
  // Refused for another reason than a lock (a privilege): the statements take their locks themselves, each under its own retries.
  const err = await session.step(statement, { step: session.doing, statement: statement.split('\n')[0] });
  return err ? [] : take;
}
