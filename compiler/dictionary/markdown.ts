/**
 * Markdown pieces for the data dictionary: inline code, prose and tables,
 * escaped so that any text a spec carries renders as that text.
 *
 * Input: plain strings. Output: Markdown strings.
 */

/** Line breaks and the space around them become one space. */
function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

/** Inline code for `text` on one line, with a fence longer than any run of backticks inside it. */
export function code(text: string): string {
  const flat = oneLine(text);
  const longest = Math.max(0, ...[...flat.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/** Prose on one line, with the characters Markdown would read as markup escaped. */
export function inline(text: string): string {
  return oneLine(text).replace(/[\\`*_[\]<>|]/g, (ch) => `\\${ch}`);
}

/** A Markdown table; every cell is already Markdown. A `|` that is not escaped yet (in code) is, so it stays in its cell. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/(?<!\\)\|/g, '\\|')).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}
