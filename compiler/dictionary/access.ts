/**
 * The access rules of a table, in words: who may do what to which rows.
 *
 * Input: a table's state (../diff/state.ts) and Origins. Output: Markdown
 * lines, and a short phrase for the overview. Each kind of rule has its case
 * in ruleLine and ruleSummary; a kind without one is a compile error.
 */
import type { RuleState, TableState } from '../diff/state.js';
import { ruleOperations } from '../diff/state.js';
import { grantsOf, rulePolicies } from '../emit/access.js';
import type { ApiRole, Operation } from '../model/types.js';
import { code, inline } from './markdown.js';
import type { Origins } from './origins.js';

/** Who a rule lets in, in words. */
function who(rule: RuleState): string {
  const r = rule.rule;
  switch (r.kind) {
    case 'owner':
      return `owner: the user whose id is in ${code(r.column.value)} (compared with \`auth.uid()\`)`;
    case 'public':
      return `anyone, signed in or not${r.where ? `, on rows where ${code(r.where.value)}` : ''}`;
    case 'signed_in':
      return `every signed-in user${r.where ? `, on rows where ${code(r.where.value)}` : ''}`;
    case 'parent':
      return `the owner of the ${code(rule.parent?.name ?? '?')} row that ${code(r.column.value)} references`;
    case 'members':
      return `members of the group in ${code(r.group.value)}, as ${code(r.through.value)} lists them${r.roles ? ` (roles ${r.roles.values.value.map(code).join(', ')})` : ''}`;
    case 'policy':
      return `the roles ${r.to.map(code).join(', ')}, as the policy says (${r.command})`;
  }
}

const WHAT: Record<Operation, string> = { select: 'read', insert: 'insert', update: 'update', delete: 'delete' };

/** A rule: who it lets in, then one line per operation with its policy and the feature that added it. */
function ruleLines(table: TableState, rule: RuleState, origins: Origins): string[] {
  const r = rule.rule;
  if (r.kind === 'policy') return [`- ${who(rule)}; policy ${code(r.name.value)}, from ${origins.short(rule.origin)}`];
  const policies = rulePolicies(table, rule);
  const lines = ruleOperations(rule).map((op) => {
    const p = policies.find((x) => x.permissive && x.command === op.toUpperCase());
    const from = rule.operations.find((x) => x.operation === op)?.origin ?? rule.origin;
    return `  - ${op}: ${WHAT[op]} the rows it reaches; policy ${code(p?.name ?? '?')}, from ${origins.short(from)}`;
  });
  const guard = policies.find((p) => !p.permissive);
  if (guard) lines.push(`  - every row written must be under a ${code(rule.parent?.name ?? '?')} row its writer owns; restrictive policy ${code(guard.name)}`);
  return [`- ${who(rule)}${lines.length ? ':' : ' (no operation)'}`, ...lines];
}

/** Who holds which privileges on the table: exact grants, or what Supabase's default privileges left. */
function grantsLine(table: TableState): string {
  if (table.rls.kind !== 'rules' || !table.rls.exactGrants) {
    return "Grants: as Supabase's default privileges left them (anon and signed-in users hold every privilege; row level security decides which rows they reach). An extension with `grants: exact` tightens them.";
  }
  const held = grantsOf(table);
  const say = (role: ApiRole, name: string): string => {
    const ops = held.get(role) ?? [];
    return ops.length ? `${name} hold ${ops.map((o) => o.toUpperCase()).join(', ')}` : `${name} hold nothing`;
  };
  return `Grants: exact. ${say('anon', 'Anonymous clients')}; ${say('authenticated', 'signed-in users')}; the service role bypasses row level security.`;
}

/** The access section of a table. */
export function accessLines(table: TableState, origins: Origins): string[] {
  const rls = table.rls;
  switch (rls.kind) {
    case 'rules':
      if (rls.rules.length === 0)
        return ['Row level security on, no policy: only the service role (the backend key) reaches the table.', '', grantsLine(table)];
      return ['Row level security on. Access:', '', ...rls.rules.flatMap((r) => ruleLines(table, r, origins)), '', grantsLine(table)];
    case 'disabled':
      return [
        `Row level security is **off**, waived with the reason: ${inline(rls.waiver.reason)}`,
        '',
        rls.exactGrants
          ? 'Neither anon nor signed-in users hold any privilege on it; only the service role reaches it.'
          : "Anyone with the project's anon key can read and write every row.",
      ];
    case 'unmanaged':
      return ['Not managed by pamc: the table keeps whatever row level security and policies the database gives it.'];
  }
}

function ruleSummary(rule: RuleState): string {
  const r = rule.rule;
  const ops = ruleOperations(rule).join(', ');
  switch (r.kind) {
    case 'owner':
      return `owner ${code(r.column.value)}: ${ops}`;
    case 'public':
    case 'signed_in':
      return `${r.kind}: ${ops}`;
    case 'parent':
      return `parent ${code(r.column.value)}: ${ops || 'writes checked'}`;
    case 'members':
      return `members of ${code(r.through.value)}: ${ops}`;
    case 'policy':
      return `policy ${code(r.name.value)}`;
  }
}

/** One phrase for the overview table. */
export function accessSummary(table: TableState): string {
  const rls = table.rls;
  switch (rls.kind) {
    case 'rules':
      return rls.rules.length ? rls.rules.map(ruleSummary).join('; ') : 'service role only';
    case 'disabled':
      return 'RLS off (waived)';
    case 'unmanaged':
      return 'not managed by pamc';
  }
}
