/**
 * Stage 2, validate: located trees against the language's JSON Schema.
 *
 * Input: a LoadedFile from ../load. Output: the diagnostics of its schema
 * errors (unknown-key with "did you mean", invalid-value, missing-key), each
 * at the YAML node it concerns; none means the file conforms. The schema
 * (./pamc.schema.json, draft 2020-12) is the one editors use.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import schema from './pamc.schema.json' with { type: 'json' };
import generated from './validator.generated.js';
import type { Diagnostic } from '../report/diagnostic.js';
import { judge } from '../rules/index.js';
import { toJson, type LNode, type LoadedFile } from '../load/index.js';
import { errorPlace } from './errors.js';

export { schema as phaseSchema };

type Validator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** Validates one file against the phase-file schema (compiled ahead of time by Ajv, ./standalone.ts): no diagnostics means it is valid. */
export function validateFile(file: LoadedFile): Diagnostic[] {
  const validate = generated as Validator;
  if (validate(toJson(file.root))) return [];
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const error of (validate.errors ?? []).filter((e) => e.keyword !== 'if')) {
    for (const d of judge({ kind: 'schema-error', span: errorPlace(file.root, error).node.span, error, root: file.root })) {
      const key = `${d.span?.start}:${d.rule}:${d.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(d);
    }
  }
  return out;
}

/** The node at a JSON pointer (an Ajv instancePath) of a located tree. */
function nodeAt(root: LNode, pointer: string): LNode | undefined {
  let node: LNode | undefined = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (node?.kind === 'map') node = node.entries.find((e) => e.key === key)?.value;
    else if (node?.kind === 'seq') node = node.items[Number(key)];
    else return undefined;
  }
  return node;
}

/**
 * The file without its unknown keys, when unknown keys are all that is
 * wrong with it; null otherwise. The model then reads the rest, so one run
 * reports every problem (a misspelled key and a bad default), while the
 * file's errors still keep anything from being written.
 */
export function withoutUnknownKeys(file: LoadedFile): LoadedFile | null {
  const validate = generated as Validator;
  if (validate(toJson(file.root))) return file;
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== 'if');
  if (errors.some((e) => e.keyword !== 'additionalProperties')) return null;
  const root = structuredClone(file.root);
  for (const e of errors) {
    const parent = nodeAt(root, e.instancePath);
    const key = (e.params as { additionalProperty: string }).additionalProperty;
    if (parent?.kind !== 'map') continue;
    // A value YAML split at its comma (`numeric(10,2)` in a flow mapping) is read whole, as the unknown-key diagnostic says to write it.
    const split = /^[^(]*\)/.test(key) ? parent.entries.find((x) => x.value.kind === 'scalar' && /\([^)]*$/.test(String(x.value.value))) : undefined;
    if (split?.value.kind === 'scalar') split.value.value = `${String(split.value.value)},${key}`;
    parent.entries = parent.entries.filter((x) => x.key !== key);
  }
  const pruned = { path: file.path, root };
  return validate(toJson(root)) ? pruned : null;
}
