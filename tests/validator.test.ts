/**
 * The precompiled phase-file validator (compiler/validate/validator.generated.ts)
 * is what Ajv makes of the shipped schema today, and judges like a validator
 * compiled at run time. UPDATE_GOLDEN=1 rewrites the generated module.
 */
import { describe, expect, test } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { AJV_OPTIONS, validatorSource } from '../compiler/validate/standalone.js';
import { phaseSchema } from '../compiler/validate/index.js';
import generated from '../compiler/validate/validator.generated.js';
import { loadFile, toJson } from '../compiler/load/index.js';
import { readYamlTree, ROOT } from './helpers/fixtures.js';

const GENERATED = join(ROOT, 'compiler/validate/validator.generated.ts');

describe('precompiled validator', () => {
  test('is up to date with the schema', () => {
    const source = validatorSource();
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GENERATED, source);
    expect(
      readFileSync(GENERATED, 'utf8') === source,
      'compiler/validate/validator.generated.ts is stale: run UPDATE_GOLDEN=1 npx vitest run tests/validator.test.ts',
    ).toBe(true);
  });

  test('reports what a validator compiled at run time reports', () => {
    const runtime = new Ajv2020.default({ ...AJV_OPTIONS }).compile(phaseSchema);
    const strip = (errors: unknown): unknown => JSON.parse(JSON.stringify(errors ?? null));
    const files = [...readYamlTree(join(ROOT, 'schema'), ROOT), ...readYamlTree(join(ROOT, 'tests/fixtures'), ROOT)];
    expect(files.length).toBeGreaterThan(20);
    let invalid = 0;
    for (const { path, text } of files) {
      const loaded = loadFile({ path, text });
      if (!loaded.file) continue;
      const data = toJson(loaded.file.root);
      const a = runtime(data);
      const b = (generated as typeof runtime)(data);
      expect(b, path).toBe(a);
      expect(strip((generated as typeof runtime).errors), path).toEqual(strip(runtime.errors));
      if (!a) invalid++;
    }
    expect(invalid).toBeGreaterThan(0);
  });
});
