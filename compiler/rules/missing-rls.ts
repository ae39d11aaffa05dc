import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'missing-rls',
  severity: 'error',
  stage: 'model',
  summary: 'A table without row level security and without an explicit, reasoned waiver.',
  on: ['table'],
  check({ table, rls }) {
    if (!rls) {
      return {
        message: `table \`${table.name}\` has no row level security: in schema public, anyone with the project's anon key could read and write every row`,
        hint: 'add `rls: { owner: user_id, allow: [select, insert] }`, or waive it with `rls: { disabled: true, reason: "..." }`',
      };
    }
    if (rls.kind === 'map' && table.rls?.kind === 'rules' && table.rls.rules.length === 0 && !table.rls.serviceOnly) {
      return {
        message: `the row level security of \`${table.name}\` names no rule: no policy would let anyone but the service role in`,
        hint: 'name a rule (`owner:` with `allow:`, `public:`, `signed_in:`, `parent:`, `members:`, `policies:`), or say `service_only: true`',
        span: rls.span,
      };
    }
    if (rls.kind !== 'scalar') return null;
    return {
      message: '`rls: false` would leave every row readable and writable with the anon key',
      hint: 'if that is really intended, write `rls: { disabled: true, reason: "why" }` so the decision is recorded',
      span: rls.span,
    };
  },
});
