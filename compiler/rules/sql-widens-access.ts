import { relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';
import type { Finding } from './rule.js';
import type { FactOf } from './facts.js';

const RULES =
  'say who reaches a table in the spec: an access rule under its `rls:` (with `extend:` and a `reason:` for a shipped table), which CI shows for review';

/** A GRANT to anon or PUBLIC, of anything; to authenticated, of a table of the spec or of a role. */
function grant(fact: FactOf<'sql-statement'>): Finding | null {
  const { action, reaches, tablesIn } = fact;
  if (action.kind !== 'grant') return null;
  const open = action.roles.filter((r) => r === 'anon' || r === 'public');
  if (open.length) {
    const who = open.map((r) => (r === 'public' ? 'PUBLIC' : r)).join(' and ');
    return {
      message: `this GRANT gives ${action.object} to ${who}: anyone with the public anon key reaches it`,
      hint: action.object.startsWith('function') ? `${RULES}; in schema public, Supabase already lets the API roles run functions` : RULES,
    };
  }
  if (!action.roles.includes('authenticated')) return null;
  const tables = [...new Set([...action.tables.flatMap(reaches), ...action.allTablesIn.flatMap(tablesIn)])];
  if (action.role) return { message: `this GRANT gives ${action.object} to authenticated: every signed-in user gets all its rights`, hint: RULES };
  if (!tables.length) return null;
  const names = `\`${tables.join('`, `')}\``;
  return {
    message: `this GRANT to authenticated covers ${names}, ${tables.length === 1 ? 'a table' : 'tables'} of the spec: every signed-in user gets what the rules do not give`,
    hint: RULES,
  };
}

export const rule = defineRule({
  id: 'sql-widens-access',
  severity: 'error',
  stage: 'fold',
  summary:
    'A statement of a SQL feature that turns row level security off, grants to anon or PUBLIC (or a table of the spec to authenticated), or adds a policy to a table of the spec.',
  on: ['sql-statement'],
  check(fact) {
    const { action, reaches } = fact;
    if (action.kind === 'grant') return grant(fact);
    if (action.kind === 'row-security') {
      const what = action.change === 'disable' ? 'turns row level security off on' : 'stops forcing row level security on';
      return {
        message: `this ALTER ${what} \`${relationText(action.table)}\`: its policies no longer hold${action.change === 'disable' ? ', and anyone the grants let in reads and writes every row' : ' for its owner'}`,
        hint: RULES,
      };
    }
    if (action.kind !== 'policy') return null;
    const table = reaches(action.table);
    if (!table.length) return null;
    return {
      message: `${action.alter ? 'ALTER' : 'CREATE'} POLICY on \`${table[0]}\`, a table of the spec: its rows would be reached beyond the rules the spec declares`,
      hint: 'write the policy under the table’s `rls: { policies: [...] }` (with `extend:` and a `reason:` for a shipped table)',
    };
  },
});
