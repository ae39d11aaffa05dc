/**
 * Type-checking a small TypeScript program with the compiler API, for the
 * tests of `pamc types`: which lines have errors, against the lines the
 * program marks with `// error:`.
 */
import ts from 'typescript';
import { join } from 'node:path';

/** A type error: the file's base name, its 1-based line and the message. */
export interface TypeError {
  file: string;
  line: number;
  message: string;
}

/** Type-checks `files` (names inside `dir`, which must reach node_modules) strictly, as an app would. */
export function typeErrors(dir: string, files: string[]): TypeError[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [],
  };
  const program = ts.createProgram(
    files.map((f) => join(dir, f)),
    options,
  );
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const file = d.file ? d.file.fileName.split('/').pop()! : '';
    const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    return { file, line, message: ts.flattenDiagnosticMessageText(d.messageText, '\n') };
  });
}

/** The 1-based lines of `text` that carry an `// error:` comment. */
export function markedLines(text: string): number[] {
  return text.split('\n').flatMap((line, i) => (line.includes('// error:') ? [i + 1] : []));
}
