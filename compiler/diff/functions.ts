/**
 * Helper functions that access rules call: whether the signed-in user owns a
 * row of a table (parent rules), and whether they are a member of a group
 * (members rules). Each is a SECURITY DEFINER, STABLE SQL function with a
 * fixed search_path, in schema `private` (which Supabase's API does not
 * expose), so a policy never queries another table under that table's own
 * policies: no recursion (42P17), one index lookup per check.
 */

/** The schema helper functions live in. */
export const HELPER_SCHEMA = 'private';

/** OwnsFunction answers "does the user own the row of `table` whose `key` is this?", through an owner column or a parent's own function. */
export interface OwnsFunction {
  kind: 'owns';
  name: string;
  table: { schema: string; name: string };
  key: { column: string; type: string };
  owner: string | null;
  parent: { column: string; fn: string } | null;
}

/** MemberFunction answers "is the user a member of this group (with one of these roles)?" from a membership table. */
export interface MemberFunction {
  kind: 'member';
  name: string;
  through: { schema: string; name: string };
  group: { column: string; type: string };
  user: string;
  /** The role column, for the variant that takes roles. */
  roleColumn: string | null;
}

/** HelperFunction is a function an access rule calls. */
export type HelperFunction = OwnsFunction | MemberFunction;

export function ownsName(table: string): string {
  return `owns_${table}`;
}

/**
 * The membership function of a members rule: one per membership table, user
 * column and role column (`is_member_of_team_members`,
 * `has_role_in_team_members`; `..._as_<user>` and `..._by_<role column>`
 * when a rule names other columns than user_id and role).
 */
export function memberName(through: string, rule: { user: { value: string }; roles: { column: string } | null }): string {
  const as = rule.user.value === 'user_id' ? '' : `_as_${rule.user.value}`;
  if (!rule.roles) return `is_member_of_${through}${as}`;
  return `has_role_in_${through}${as}${rule.roles.column === 'role' ? '' : `_by_${rule.roles.column}`}`;
}
