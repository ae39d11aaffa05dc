/**
 * Stage 2, validate: located trees against the language's JSON Schema.
 *
 * Input: LoadedFile[] from ../load. Output: the files that conform, and one
 * diagnostic per problem (unknown-key with "did you mean", invalid-value,
 * missing-key), each at the YAML node it concerns. The schema
 * (./pamc.schema.json, draft 2020-12) is the one editors use.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import schema from './pamc.schema.json' with { type: 'json' };
import generated from './validator.generated.js';
import type { Diagnostic } from '../report/diagnostic.js';
import { diagnostic } from '../rules/index.js';
import { toJson, type LNode, type LoadedFile } from '../load/index.js';

export { schema as phaseSchema };

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The schema compiled ahead of time by Ajv (see ./standalone.ts). */
function compiled(): Validator {
  return generated as Validator;
}

/** Validates one file against the phase-file schema: no diagnostics means it is valid. */
export function validateFile(file: LoadedFile): Diagnostic[] {
  const validate = compiled();
  if (validate(toJson(file.root))) return [];
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of errors) {
    const d = toDiagnostic(file.root, error);
    const key = `${d.span?.start}:${d.rule}:${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}

function pathSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function nodeAt(root: LNode, segments: string[]): { node: LNode; key: string | null; keySpan: LNode['span'] | null } {
  let node = root;
  let key: string | null = null;
  let keySpan: LNode['span'] | null = null;
  for (const seg of segments) {
    if (node.kind === 'map') {
      const e = node.entries.find((x) => x.key === seg);
      if (!e) break;
      key = seg;
      keySpan = e.keySpan;
      node = e.value;
    } else if (node.kind === 'seq') {
      const item = node.items[Number(seg)];
      if (!item) break;
      node = item;
    }
  }
  return { node, key, keySpan };
}

function describe(segments: string[]): string {
  const key = segments[segments.length - 1];
  if (key === undefined) return 'the file';
  return /^\d+$/.test(key) ? `item ${Number(key) + 1} of \`${segments[segments.length - 2] ?? ''}\`` : `\`${key}\``;
}

function toDiagnostic(root: LNode, error: ErrorObject): Diagnostic {
  const segments = pathSegments(error.instancePath);
  const at = nodeAt(root, segments);
  const what = describe(segments);
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = String((error.params as { additionalProperty: string }).additionalProperty);
      const entry = at.node.kind === 'map' ? at.node.entries.find((e) => e.key === extra) : undefined;
      const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(extra, allowed);
      return diagnostic(
        'unknown-key',
        entry?.keySpan ?? at.node.span,
        `unknown key \`${extra}\` in ${what === 'the file' ? 'a phase file' : what}`,
        guess ? `did you mean \`${guess}\`?` : `allowed keys: ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      );
    }
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return diagnostic(
        'missing-key',
        at.keySpan ?? at.node.span,
        `${what === 'the file' ? 'the phase file' : what} needs the key \`${missing}\``,
        missingHint(missing),
      );
    }
    case 'enum': {
      const allowed = (error.params as { allowedValues: unknown[] }).allowedValues;
      const value = at.node.kind === 'scalar' ? String(at.node.value) : '';
      const guess = closest(value, allowed.map(String));
      return diagnostic(
        'invalid-value',
        at.node.span,
        `${what} must be one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}`,
        guess ? `did you mean \`${guess}\`?` : `write one of ${allowed.map((v) => `\`${String(v)}\``).join(', ')}`,
      );
    }
    case 'type': {
      const want = (error.params as { type: string | string[] }).type;
      const types = (Array.isArray(want) ? want : String(want).split(',')).map(typeWord);
      return diagnostic('invalid-value', at.node.span, `${what} must be ${types.join(' or ')}, not ${kindWord(at.node)}`, typeHint(segments));
    }
    case 'const':
      if (segments[segments.length - 1] === 'rls') {
        return diagnostic(
          'invalid-value',
          at.node.span,
          '`rls` must be an owner rule or a waiver',
          'write `rls: { owner: <column>, allow: [select, ...] }`, or `rls: { disabled: true, reason: "..." }`',
        );
      }
      return diagnostic(
        'invalid-value',
        at.node.span,
        `${what} must be \`${String((error.params as { allowedValue: unknown }).allowedValue)}\``,
        'see the language reference in the README',
      );
    case 'pattern':
      return diagnostic(
        'invalid-value',
        at.node.span,
        `${what} must be written \`table(column)\` or \`schema.table(column)\``,
        'for example `references: auth.users(id)`',
      );
    case 'uniqueItems':
      return diagnostic('invalid-value', at.node.span, `${what} lists the same value twice`, 'remove the repeated value');
    case 'minItems':
    case 'minProperties':
    case 'minLength':
      return diagnostic('invalid-value', at.node.span, `${what} must not be empty`, 'give it a value, or remove the key');
    case 'minimum':
    case 'maximum':
      return diagnostic('invalid-value', at.node.span, `${what} ${error.message ?? 'is out of range'}`, 'phases are numbered from 0 upwards');
    default:
      return diagnostic('invalid-value', at.node.span, `${what} ${error.message ?? 'is not valid'}`, 'see the language reference in the README');
  }
}

function typeWord(t: string): string {
  switch (t) {
    case 'object':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'integer':
      return 'a whole number';
    case 'null':
      return 'empty';
    default:
      return `a ${t}`;
  }
}

function kindWord(node: LNode): string {
  if (node.kind === 'map') return 'a mapping';
  if (node.kind === 'seq') return 'a list';
  if (node.value === null) return 'empty';
  return `a ${typeof node.value}`;
}

function typeHint(segments: string[]): string {
  const key = segments[segments.length - 1];
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

function missingHint(key: string): string {
  switch (key) {
    case 'phase':
      return 'add `phase: <number>`: it orders the phase among the others';
    case 'title':
      return 'add `title: <what the phase builds>`';
    case 'features':
      return 'add `features:` with at least one feature';
    case 'type':
      return 'add a type, such as `type: text`';
    case 'reason':
      return 'a waiver must say why the table may go without RLS';
    default:
      return `add \`${key}\``;
  }
}

/** The allowed word nearest to `word`, if it is near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best !== null && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : null;
}

function distance(a: string, b: string): number {
  if (a.length > 64 || b.length > 64) return Infinity;
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
