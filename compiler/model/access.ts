/**
 * Reading a table's row level security into access rules (or a waiver), and
 * what an extension adds to it. Part of stage 3 (./index.ts). The rules are
 * read as written; ../diff checks what they name against what exists.
 */
import { entry, type LEntry, type LNode } from '../load/index.js';
import type {
  AccessRule,
  ApiRole,
  Column,
  CustomPolicy,
  ExtensionRls,
  Located,
  MembersRule,
  OpenRule,
  Operation,
  ParentRule,
  PolicyCommand,
  RlsRules,
  RlsWaiver,
  Table,
} from './types.js';
import { located, str } from './columns.js';
import { columnRefs } from '../sql/fragments.js';
import type { Reader } from './reader.js';

/** The list of operations of an `allow`-shaped node. */
function operations(node: LNode): Located<Operation[]> {
  return { value: node.kind === 'seq' ? node.items.map((i) => str(i) as Operation) : [], span: node.span };
}

function strings(node: LNode): Located<string[]> {
  return { value: node.kind === 'seq' ? node.items.map((i) => str(i) ?? '') : [], span: node.span };
}

/** The `public` and `signed_in` rules of a node, each limited by its `where`. */
function openRules(reader: Reader, node: LNode): OpenRule[] {
  const whereNode = entry(node, 'where')?.value;
  const where = whereNode ? located(whereNode) : null;
  const valid = where !== null && reader.accept({ kind: 'expression', span: where.span, value: where, what: 'row filter', parser: reader.parser });
  const whereColumns = valid ? columnRefs(reader.parser, where.value) : [];
  const out: OpenRule[] = [];
  for (const kind of ['public', 'signed_in'] as const) {
    const e = entry(node, kind);
    if (e) out.push({ kind, allow: operations(e.value), where, whereColumns, span: e.keySpan });
  }
  reader.accept({ kind: 'row-filter', span: whereNode?.span ?? node.span, written: where !== null, rules: out.length });
  return out;
}

function parentRule(node: LNode): ParentRule | null {
  const e = entry(node, 'parent');
  if (!e) return null;
  const allow = entry(e.value, 'allow');
  return {
    kind: 'parent',
    column: located(entry(e.value, 'column')!.value),
    allow: allow ? operations(allow.value) : { value: [], span: e.keySpan },
    span: e.keySpan,
  };
}

function membersRule(item: LNode, span: LEntry['keySpan']): MembersRule {
  const text = (key: string, fallback: string): Located<string> => {
    const node = entry(item, key)?.value;
    return node ? located(node) : { value: fallback, span };
  };
  const roles = entry(item, 'roles')?.value;
  return {
    kind: 'members',
    group: text('group', ''),
    through: text('through', ''),
    user: text('user', 'user_id'),
    roles: roles ? { column: text('role_column', 'role').value, values: strings(roles) } : null,
    allow: operations(entry(item, 'allow')!.value),
    span: item.kind === 'map' ? item.span : span,
  };
}

function membersRules(node: LNode): MembersRule[] {
  const e = entry(node, 'members');
  if (!e) return [];
  return e.value.kind === 'seq' ? e.value.items.map((item) => membersRule(item, e.keySpan)) : [membersRule(e.value, e.keySpan)];
}

function customPolicy(reader: Reader, item: LNode): CustomPolicy {
  const to = entry(item, 'to')?.value;
  const roles: ApiRole[] = to ? (to.kind === 'seq' ? to.items.map((i) => str(i) as ApiRole) : [str(to) as ApiRole]) : ['authenticated'];
  const expression = (key: string): Located<string> | null => {
    const node = entry(item, key)?.value;
    if (!node) return null;
    const value = located(node);
    reader.accept({ kind: 'expression', span: value.span, value, what: 'policy expression', parser: reader.parser });
    return value;
  };
  const policy: CustomPolicy = {
    kind: 'policy',
    name: located(entry(item, 'name')!.value),
    command: str(entry(item, 'for')?.value) as PolicyCommand,
    to: roles,
    using: expression('using'),
    withCheck: expression('with_check'),
    span: item.span,
  };
  reader.accept({ kind: 'policy', span: item.span, policy });
  return policy;
}

function customPolicies(reader: Reader, node: LNode): CustomPolicy[] {
  const list = entry(node, 'policies')?.value;
  return list?.kind === 'seq' ? list.items.map((item) => customPolicy(reader, item)) : [];
}

/** The rules of an `rls:` node other than the owner rule. */
function otherRules(reader: Reader, node: LNode): AccessRule[] {
  const parent = parentRule(node);
  return [...openRules(reader, node), ...(parent ? [parent] : []), ...membersRules(node), ...customPolicies(reader, node)];
}

/** A table's `rls:` mapping: a waiver, or access rules. */
export function readRls(reader: Reader, table: Table, e: LEntry, label: string): RlsRules | RlsWaiver {
  const node = e.value;
  if (entry(node, 'disabled')) return { kind: 'disabled', reason: str(entry(node, 'reason')?.value) ?? '', span: e.keySpan };
  const rules: AccessRule[] = [];
  const ownerNode = entry(node, 'owner')?.value;
  if (ownerNode && entry(node, 'allow')) {
    const column = located(ownerNode);
    const owned: Column | undefined = table.columns.find((c) => c.name === column.value);
    reader.accept({ kind: 'owner', span: column.span, table, owner: column, column: owned, parser: reader.parser });
    rules.push({ kind: 'owner', column, allow: operations(entry(node, 'allow')!.value), span: e.keySpan });
  }
  rules.push(...otherRules(reader, node));
  return { kind: 'rules', rules, label, serviceOnly: entry(node, 'service_only') !== undefined, span: e.keySpan };
}

/** What an extension's `rls:` adds: owner operations, new rules, the reason for them. */
export function readExtensionRls(reader: Reader, e: LEntry): ExtensionRls {
  const node = e.value;
  const allow = entry(node, 'allow')?.value;
  const reason = entry(node, 'reason')?.value;
  return { allow: allow ? operations(allow) : null, rules: otherRules(reader, node), reason: reason ? located(reason) : null, span: e.keySpan };
}
