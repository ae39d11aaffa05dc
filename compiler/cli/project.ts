/**
 * A project on disk as every command reads it: the settings of its
 * package.json, the spec and the output directory, compiled by the core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compile, type CompileInput, type CompileOutput } from '../pipeline.js';
import type { SqlParser } from '../sql/parser.js';
import { fragmentMemo } from '../sql/fragments.js';
import { FragmentCache } from './fragment-cache.js';
import { diagnostic } from '../rules/index.js';
import { IoError, readOut, readSpec, type SpecFiles } from './io.js';

/** Settings are the project's directories and policy-name prefix, from flags or the "pamc" key of package.json. */
export interface Settings {
  schema: string;
  out: string;
  prefix: string;
}

/** Reads the settings: a flag wins over package.json, which wins over the defaults (schema, out, no prefix). */
export function settings(cwd: string, opts: { schema?: string; out?: string }): Settings {
  let fromPackage: { schema?: unknown; out?: unknown; prefix?: unknown } = {};
  const pkg = resolve(cwd, 'package.json');
  if (existsSync(pkg)) {
    try {
      fromPackage = (JSON.parse(readFileSync(pkg, 'utf8')) as { pamc?: typeof fromPackage }).pamc ?? {};
    } catch {
      throw new IoError(`${pkg} is not valid JSON`);
    }
  }
  const trim = (p: string): string => p.replace(/\/+$/, '') || '.';
  const pick = (flag: string | undefined, key: unknown, fallback: string): string => trim(flag ?? (typeof key === 'string' ? key : fallback));
  return {
    schema: pick(opts.schema, fromPackage.schema, 'schema'),
    out: pick(opts.out, fromPackage.out, 'out'),
    prefix: typeof fromPackage.prefix === 'string' ? fromPackage.prefix : '',
  };
}

/** LoadedProject is a compiled project with the texts diagnostics point into. */
export interface LoadedProject {
  settings: Settings;
  input: CompileInput;
  output: CompileOutput;
  /** Every text a diagnostic may point into: phase files, the lock, the base lock. */
  sources: Map<string, string>;
  /** The parser the compile used (a stand-in that refuses every question, when the fragment cache answered them all). */
  parser: SqlParser;
}

/** Raised by the stand-in parser of a run that tries to do without one (see loadProject). */
class ParserNeeded extends Error {}

function noParser(): SqlParser {
  return {
    parse() {
      throw new ParserNeeded();
    },
    check() {
      throw new ParserNeeded();
    },
  };
}

/**
 * Reads the project at `cwd` and compiles it; files the CLI refused to read become diagnostics.
 *
 * The parser's answers for the project's fragments are kept between runs
 * (./fragment-cache.ts). With `parserOnDemand`, the compile first runs on
 * those alone, and the parser is loaded only if that compile asks for
 * anything else (a fragment not seen before, a migration to parse), when it
 * runs again with the parser; compile is a pure function, so both runs give
 * the same output. `onRead` is called with the spec once it is read, before
 * the compile.
 */
export async function loadProject(
  cwd: string,
  opts: { schema?: string; out?: string },
  now: Date,
  extra: Partial<CompileInput> = {},
  { parserOnDemand = false, onRead }: { parserOnDemand?: boolean; onRead?: (spec: SpecFiles) => void } = {},
): Promise<LoadedProject> {
  const s = settings(cwd, opts);
  const tRead = performance.now();
  const spec = readSpec(resolve(cwd, s.schema), cwd);
  let readMs = performance.now() - tRead;
  onRead?.(spec);
  const tOut = performance.now();
  const out = readOut(resolve(cwd, s.out), s.out);
  readMs += performance.now() - tOut;
  const input: CompileInput = { sources: spec.sources, lock: out.lock, outDir: s.out, outFiles: out.files, now, options: { prefix: s.prefix }, ...extra };
  const cache = FragmentCache.open(cwd);
  let output: CompileOutput | null = null;
  let parser = noParser();
  if (parserOnDemand && cache && cache.entries.size > 0) {
    cache.seed(fragmentMemo(parser));
    try {
      output = compile(input, parser);
    } catch (error) {
      if (!(error instanceof ParserNeeded)) throw error;
    }
  }
  let tParser = 0;
  if (!output) {
    const t0 = performance.now();
    // Imported here: the parser's module alone takes longer to load than a cached check takes to run.
    const { loadParser } = await import('../sql/parser.js');
    parser = await loadParser();
    tParser = performance.now() - t0;
    fragmentMemo(parser).used.clear();
    cache?.seed(fragmentMemo(parser));
    output = compile(input, parser);
  }
  cache?.save(fragmentMemo(parser));
  output.timings['parser-load'] = tParser;
  output.timings.read = readMs;
  output.diagnostics.unshift(
    ...spec.refused.map((r) =>
      diagnostic(
        'unreadable-file',
        { file: r.path, start: 0, end: 0 },
        `${r.path} ${r.reason}`,
        'keep phase files as plain files inside the project, each under 1 MiB',
      ),
    ),
  );
  const sources = new Map<string, string>(spec.sources.map((f) => [f.path, f.text]));
  if (out.lock) sources.set(out.lock.path, out.lock.text);
  if (input.baseLock) sources.set(input.baseLock.path, input.baseLock.text);
  return { settings: s, input, output, sources, parser };
}
