/**
 * The access rules of a table, in words: who may do what to which rows.
 *
 * Input: a table's RlsState (../diff/state.ts) and Origins. Output: Markdown
 * lines, and a short phrase for the overview. Each kind of rule has its
 * case in accessLines and accessSummary; a kind without one is a compile
 * error (the `never` in the default branch).
 */
import type { RlsState, TableState } from '../diff/state.js';
import { OPERATIONS, type Operation } from '../model/types.js';
import { policyName } from '../model/names.js';
import { code, inline } from './markdown.js';
import type { Origins } from './origins.js';

type OwnerState = Extract<RlsState, { kind: 'owner' }>;

const WHAT: Record<Operation, string> = {
  select: 'read their own rows',
  insert: 'insert rows they own',
  update: 'update their own rows',
  delete: 'delete their own rows',
};

function allowed(rls: OwnerState): OwnerState['permissions'] {
  return OPERATIONS.flatMap((op) => rls.permissions.filter((p) => p.operation === op));
}

function ownerLines(rls: OwnerState, origins: Origins): string[] {
  return [
    `Row level security with an owner rule: a row belongs to the user whose id is in ${code(rls.rule.owner.value)} (compared with \`auth.uid()\`). Signed-in users may:`,
    '',
    ...allowed(rls).map(
      (p) => `- ${p.operation}: ${WHAT[p.operation]}; policy ${code(policyName(p.operation, rls.rule.label))}, from ${origins.short(p.origin)}`,
    ),
    '',
    'Anonymous clients reach no row; the service role bypasses row level security.',
  ];
}

function unhandled(rls: never): never {
  throw new Error(`no rendering for the access rule ${JSON.stringify(rls)}`);
}

/** The access section of a table. */
export function accessLines(table: TableState, origins: Origins): string[] {
  const rls = table.rls;
  switch (rls.kind) {
    case 'owner':
      return ownerLines(rls, origins);
    case 'disabled':
      return [
        `Row level security is **off**, waived with the reason: ${inline(rls.waiver.reason)}`,
        '',
        "Anyone with the project's anon key can read and write every row.",
      ];
    case 'unmanaged':
      return ['Not managed by pamc: the table keeps whatever row level security and policies the database gives it.'];
    default:
      return unhandled(rls);
  }
}

/** One phrase for the overview table. */
export function accessSummary(table: TableState): string {
  const rls = table.rls;
  switch (rls.kind) {
    case 'owner':
      return `owner ${code(rls.rule.owner.value)}: ${allowed(rls)
        .map((p) => p.operation)
        .join(', ')}`;
    case 'disabled':
      return 'RLS off (waived)';
    case 'unmanaged':
      return 'not managed by pamc';
    default:
      return unhandled(rls);
  }
}
