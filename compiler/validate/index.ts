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
import { toJson, type LoadedFile } from '../load/index.js';
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
