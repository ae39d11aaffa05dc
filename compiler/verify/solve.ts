/**
 * Values that make a SQL expression true (or false): for probe rows that
 * must pass a column's check (`rating between 1 and 5`), and rows on either
 * side of a `where` that limits a public rule.
 *
 * Input: the expression's parse tree (from the PostgreSQL parser) and the
 * columns it names. Output: a value per column, or null when the expression
 * holds something this does not read. It reads comparisons (=, <>, <, <=,
 * >, >=) of a column with a constant, BETWEEN, IN, IS [NOT] NULL, IS
 * [NOT] TRUE/FALSE, length()/char_length() of a column, bare boolean
 * columns, AND, OR and NOT. It evaluates the expression on candidate values
 * taken from the constants it holds, so it never claims a value it did not
 * check. Pure.
 */

/** Value is a column's value in a probe row: a number, a string, a boolean or NULL. */
export type Value = number | string | boolean | null;

type Node = Record<string, unknown>;
/** The result of evaluating: a SQL truth value or value, or `unknown` (outside what this reads). */
type Result = Value | undefined;

function str(node: unknown): string | undefined {
  return (node as { String?: { sval?: string } })?.String?.sval;
}

function constant(node: Node): Result {
  const c = node.A_Const as Record<string, Record<string, unknown> | boolean> | undefined;
  if (!c) return node.TypeCast ? constant((node.TypeCast as Node).arg as Node) : undefined;
  if (c.isnull) return null;
  if (c.ival) return Number((c.ival as { ival?: number }).ival ?? 0);
  if (c.fval) return Number((c.fval as { fval?: string }).fval);
  if (c.sval) return String((c.sval as { sval?: string }).sval ?? '');
  if (c.boolval) return Boolean((c.boolval as { boolval?: boolean }).boolval);
  return undefined;
}

function column(node: Node): string | undefined {
  const fields = (node.ColumnRef as { fields?: unknown[] } | undefined)?.fields;
  return fields ? str(fields[fields.length - 1]) : undefined;
}

const LENGTH = new Set(['length', 'char_length', 'character_length']);

/** What a node evaluates to in `row`. */
function value(node: Node, row: ReadonlyMap<string, Value>): Result {
  const name = column(node);
  if (name !== undefined) return row.has(name) ? row.get(name) : undefined;
  const fn = node.FuncCall as { funcname?: unknown[]; args?: Node[] } | undefined;
  if (fn) {
    const f = str(fn.funcname?.[fn.funcname.length - 1]);
    const arg = fn.args?.length === 1 ? value(fn.args[0]!, row) : undefined;
    if (!f || !LENGTH.has(f) || arg === undefined) return undefined;
    return arg === null ? null : String(arg).length;
  }
  return constant(node);
}

function compare(op: string, a: Value, b: Value): Result {
  if (a === null || b === null) return null;
  if (typeof a !== typeof b) return undefined;
  switch (op) {
    case '=':
      return a === b;
    case '<>':
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      return undefined;
  }
}

function aExpr(e: Node, row: ReadonlyMap<string, Value>): Result {
  const left = value(e.lexpr as Node, row);
  if (left === undefined) return undefined;
  const list = ((e.rexpr as { List?: { items?: Node[] } }).List?.items ?? []).map((i) => value(i, row));
  switch (e.kind) {
    case 'AEXPR_OP':
      return compare(str((e.name as unknown[])[0]) ?? '', left, value(e.rexpr as Node, row) as Value);
    case 'AEXPR_IN': {
      if (list.some((v) => v === undefined) || left === null) return list.some((v) => v === undefined) ? undefined : null;
      const found = list.includes(left);
      return str((e.name as unknown[])[0]) === '<>' ? !found : found;
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN': {
      const [lo, hi] = list;
      if (lo === undefined || hi === undefined) return undefined;
      const inside = truth(compare('>=', left, lo as Value), compare('<=', left, hi as Value), true);
      return inside === undefined || inside === null ? inside : e.kind === 'AEXPR_BETWEEN' ? inside : !inside;
    }
    default:
      return undefined;
  }
}

/** Three-valued AND (`and`) or OR of two truth values. */
function truth(a: Result, b: Result, and: boolean): Result {
  if (a === undefined || b === undefined) return undefined;
  if (and) return a === false || b === false ? false : a === null || b === null ? null : true;
  return a === true || b === true ? true : a === null || b === null ? null : false;
}

/** The truth value of a boolean expression in `row`: true, false, null (unknown in SQL), or undefined (not read). */
export function evaluate(node: Node, row: ReadonlyMap<string, Value>): Result {
  if (node.A_Expr) return aExpr(node.A_Expr as Node, row);
  const b = node.BoolExpr as { boolop?: string; args?: Node[] } | undefined;
  if (b) {
    const args = (b.args ?? []).map((a) => evaluate(a, row));
    if (b.boolop === 'NOT_EXPR') return args[0] === undefined || args[0] === null ? args[0] : !args[0];
    return args.reduce((acc, v) => truth(acc, v, b.boolop === 'AND_EXPR'), b.boolop === 'AND_EXPR' ? true : false);
  }
  const nt = node.NullTest as { arg?: Node; nulltesttype?: string } | undefined;
  if (nt) {
    const v = value(nt.arg ?? {}, row);
    return v === undefined ? undefined : nt.nulltesttype === 'IS_NULL' ? v === null : v !== null;
  }
  const bt = node.BooleanTest as { arg?: Node; booltesttype?: string } | undefined;
  if (bt) {
    const v = value(bt.arg ?? {}, row);
    if (v === undefined || (v !== null && typeof v !== 'boolean')) return undefined;
    const is = {
      IS_TRUE: v === true,
      IS_NOT_TRUE: v !== true,
      IS_FALSE: v === false,
      IS_NOT_FALSE: v !== false,
      IS_UNKNOWN: v === null,
      IS_NOT_UNKNOWN: v !== null,
    };
    return is[bt.booltesttype as keyof typeof is];
  }
  const v = value(node, row);
  return v === undefined || v === null || typeof v === 'boolean' ? v : undefined;
}

/** Every constant and length bound in a tree, and the columns it names. */
function scan(node: unknown, into: { constants: Value[]; lengths: number[]; columns: Set<string> }): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const item of node) scan(item, into);
    return;
  }
  const n = node as Node;
  const name = column(n);
  if (name !== undefined) into.columns.add(name);
  const c = n.A_Const ? constant(n) : undefined;
  if (c !== undefined) into.constants.push(c);
  const fn = n.FuncCall as { funcname?: unknown[] } | undefined;
  if (fn && LENGTH.has(str(fn.funcname?.[fn.funcname.length - 1]) ?? '')) into.lengths.push(1);
  for (const key in n) if (key !== 'location') scan(n[key], into);
}

/** Kind is what values a column takes: numbers, strings, booleans, or another type (dates, uuids): only the expression's own string constants, cast. */
export type Kind = 'number' | 'string' | 'boolean' | 'other';

function ofKind(v: Value, kind: Kind): boolean {
  if (v === null) return true;
  switch (kind) {
    case 'number':
      return typeof v === 'number';
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
    case 'other':
      return typeof v === 'string';
  }
}

/** Candidate values for a column: the constants of the expression and their neighbours, strings of the lengths it bounds, booleans. */
function candidates(found: { constants: Value[]; lengths: number[] }): Value[] {
  const out = new Set<Value>([true, false, null]);
  for (const c of found.constants) {
    out.add(c);
    if (typeof c === 'number') for (const d of [-1, 1, 0.5, -0.5]) out.add(c + d);
    if (typeof c === 'string') {
      out.add(`${c}x`);
      out.add('');
    }
  }
  if (found.lengths.length) {
    for (const c of found.constants) if (typeof c === 'number' && c >= 0 && c < 10_000) for (const n of [c - 1, c, c + 1]) if (n >= 0) out.add('p'.repeat(n));
  }
  out.add(1);
  out.add('p');
  return [...out];
}

/** Values no other row got (for a unique column), tried first: `fresh` itself, and each candidate string ending in its digits. */
function freshValues(all: readonly Value[], fresh: number): Value[] {
  const digits = String(fresh);
  const strings = all.filter((v): v is string => typeof v === 'string' && v.length >= digits.length).map((v) => v.slice(0, v.length - digits.length) + digits);
  return [fresh, -fresh, `p${digits}`, ...strings];
}

/**
 * Values for the columns of `node` that make it true (`want`), or not true
 * (false or NULL: a row such an expression filters out); columns in
 * `nonNull` never get NULL, columns with a domain take only its values;
 * with `fresh`, values unlike those of other rows are tried first. Null when none is found or the expression holds
 * something this does not read.
 */
export function solve(
  node: Node,
  want: boolean,
  {
    kinds,
    base = new Map(),
    nonNull = new Set(),
    fresh,
    domains = new Map(),
  }: {
    kinds: ReadonlyMap<string, Kind>;
    base?: ReadonlyMap<string, Value>;
    nonNull?: ReadonlySet<string>;
    fresh?: number;
    /** The only values a column takes (its `in:` list). */
    domains?: ReadonlyMap<string, readonly Value[]>;
  },
): Map<string, Value> | null {
  const found = { constants: [] as Value[], lengths: [] as number[], columns: new Set<string>() };
  scan(node, found);
  const columns = [...found.columns].filter((c) => !base.has(c));
  const plain = candidates(found);
  const all = fresh === undefined ? plain : [...new Set([...freshValues(plain, fresh), ...plain])];
  const strings = found.constants.filter((c): c is string => typeof c === 'string');
  const options = new Map(
    columns.map((c) => [
      c,
      domains.get(c) ? [null, ...domains.get(c)!] : kinds.get(c) === 'other' ? [null, ...strings] : all.filter((v) => ofKind(v, kinds.get(c) ?? 'other')),
    ]),
  );
  const row = new Map(base);
  let tries = 0;
  const search = (i: number): boolean => {
    if (tries++ > 20_000) return false;
    if (i === columns.length) {
      const r = evaluate(node, row);
      return want ? r === true : r === false || r === null;
    }
    for (const v of options.get(columns[i]!)!) {
      if (v === null && nonNull.has(columns[i]!)) continue;
      row.set(columns[i]!, v);
      if (search(i + 1)) return true;
    }
    return false;
  };
  return search(0) ? new Map(columns.map((c) => [c, row.get(c)!])) : null;
}
