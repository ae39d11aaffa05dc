import type { ErrorObject } from 'ajv/dist/2020.js';
import type { LNode } from '../load/index.js';
import { closest } from './describe.js';
import { errorPlace, kindWord, typeWord } from '../validate/errors.js';
import { defineRule, type Finding } from './rule.js';
import type { Column, CustomPolicy } from '../model/types.js';
import type { FactOf } from './facts.js';

function typeHint(key: string | undefined): string {
  switch (key) {
    case 'allow':
      return 'write a list, such as `allow: [select, insert]`';
    case 'environments':
      return 'write a list, such as `environments: [staging]`';
    case 'in':
      return 'write a list, such as `in: [user, pam]`';
    case 'default':
      return 'a default is a number, a boolean, or a SQL expression in a string (a text literal is written "\'pending\'")';
    default:
      return 'see the language reference in the README';
  }
}

/** The finding for a schema error other than an unknown or a missing key. */
function schemaValue(root: LNode, error: ErrorObject): Finding {
  const { node, segments, what } = errorPlace(root, error);
  const at = (message: string, hint: string): Finding => ({ message, hint, span: node.span });
  const key = segments[segments.length - 1];
  switch (error.keyword) {
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const guess = closest(node.kind === 'scalar' ? String(node.value) : '', allowed);
      const list = allowed.map((v) => `\`${v}\``).join(', ');
      return at(`${what} must be one of ${list}`, guess ? `did you mean \`${guess}\`?` : `write one of ${list}`);
    }
    case 'type': {
      const want = (error.params as { type: string | string[] }).type;
      const types = (Array.isArray(want) ? want : String(want).split(',')).map(typeWord);
      return at(`${what} must be ${types.join(' or ')}, not ${kindWord(node)}`, typeHint(key));
    }
    case 'const':
      if (key === 'rls')
        return at(
          '`rls` must be an owner rule or a waiver',
          'write `rls: { owner: <column>, allow: [select, ...] }`, or `rls: { disabled: true, reason: "..." }`',
        );
      return at(`${what} must be \`${String((error.params as { allowedValue: unknown }).allowedValue)}\``, 'see the language reference in the README');
    case 'pattern':
      return at(`${what} must be written \`table(column)\` or \`schema.table(column)\``, 'for example `references: auth.users(id)`');
    case 'uniqueItems':
      return at(`${what} lists the same value twice`, 'remove the repeated value');
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return at(`${what} must not be empty`, 'give it a value, or remove the key');
    case 'minimum':
    case 'maximum':
      return at(`${what} ${error.message ?? 'is out of range'}`, 'phases are numbered from 0 upwards');
    default:
      return at(`${what} ${error.message ?? 'is not valid'}`, 'see the language reference in the README');
  }
}

/** `touch:` names a timestamp column. */
function touchColumn(fact: FactOf<'touch'>): Finding | null {
  const type = fact.column?.typeName?.at(-1);
  if (!fact.column || !type || type === 'timestamptz' || type === 'timestamp') return null;
  return { message: `\`touch: ${fact.name}\` names a column of type \`${fact.column.type.value}\`; it is set to now()`, hint: 'touch a `timestamptz` column' };
}

/** PostgreSQL refuses these when the migration runs: an INSERT policy has no USING, SELECT and DELETE policies no WITH CHECK. */
function policyParts({ command, using, withCheck }: CustomPolicy): Finding | null {
  if (command === 'insert' && using)
    return {
      message: 'a `for: insert` policy has no `using`: new rows are judged by `with_check` only',
      hint: 'write the condition as `with_check:`',
      span: using.span,
    };
  if ((command === 'select' || command === 'delete') && withCheck)
    return { message: `a \`for: ${command}\` policy has no \`with_check\`: it writes no rows`, hint: 'write the condition as `using:`', span: withCheck.span };
  return null;
}

/** An identity column: an integer, with no default of its own (PostgreSQL numbers it). */
function identity(column: Column): Finding | null {
  if (!column.identity) return null;
  const type = column.typeName?.at(-1) ?? '';
  if (!['int2', 'int4', 'int8'].includes(type))
    return {
      message: `identity column \`${column.name}\` is of type \`${column.type.value}\``,
      hint: 'an identity column is a `smallint`, `integer` or `bigint`',
      span: column.type.span,
    };
  if (column.default)
    return {
      message: `identity column \`${column.name}\` also has a default`,
      hint: 'remove `default:`: PostgreSQL numbers an identity column',
      span: column.default.span,
    };
  return null;
}

export const rule = defineRule({
  id: 'invalid-value',
  severity: 'error',
  stage: 'validate',
  summary: 'A value of the wrong kind: a string where a list belongs, an unknown operation, a negative phase.',
  on: ['schema-error', 'environments', 'on-delete', 'row-filter', 'table', 'acknowledgment', 'policy', 'touch', 'column'],
  check(fact) {
    switch (fact.kind) {
      case 'touch':
        return touchColumn(fact);
      case 'column':
        return identity(fact.column);
      case 'policy':
        return policyParts(fact.policy);
      case 'acknowledgment':
        // A widening of access is shown so that a reviewer reads its reason: the pull request that widens cannot hide it.
        if (fact.rule === 'widened-access')
          return {
            message: '`widened-access` is shown for review and cannot be acknowledged',
            hint: 'the `reason:` beside the new rule is what reviewers read; remove this entry',
          };
        if (fact.severity === 'warning') return null;
        return fact.severity === null
          ? {
              message: `\`acknowledge\` names \`${fact.rule}\`, which is not a rule`,
              hint: 'write the id a warning shows in brackets, such as `nullable-owner`; `pamc explain` lists them',
            }
          : {
              message: `\`${fact.rule}\` reports errors, which cannot be acknowledged`,
              hint: 'only warnings can be settled in the spec; an error must be fixed',
            };
      case 'schema-error': {
        const { keyword } = fact.error;
        return keyword === 'additionalProperties' || keyword === 'required' ? null : schemaValue(fact.root, fact.error);
      }
      case 'environments':
        if (!fact.listed.includes('production') || fact.listed.includes('staging')) return null;
        return {
          message: 'staging must receive every migration production does',
          hint: 'write `environments: [production, staging]` (the default), or `[staging]` for a staging-only feature',
        };
      case 'row-filter':
        return fact.written && fact.rules === 0
          ? { message: '`where` limits `public` and `signed_in`, and this has neither', hint: 'add `public: [...]` or `signed_in: [...]`, or remove `where`' }
          : null;
      case 'table':
        if (fact.table.rls?.kind !== 'rules' || !fact.table.rls.serviceOnly || fact.table.rls.rules.length === 0) return null;
        return {
          message: '`service_only: true` leaves the table to the service role, and these rules would let others in',
          hint: 'remove `service_only`, or the other rules',
          span: fact.table.rls.span,
        };
      case 'on-delete':
        return fact.hasReference ? null : { message: '`on_delete` needs `references`', hint: 'add `references: table(column)`, or remove `on_delete`' };
    }
  },
});
