import { MAX_ALIAS_EXPANSION, MAX_DEPTH } from '../load/limits.js';
import { defineRule, type Finding } from './rule.js';

/** pamc's own codes: problems the YAML library does not report, and limits. */
const OWN: Record<string, Finding> = {
  ENCODING: { message: 'the file is not valid UTF-8', hint: 'save the file as UTF-8 (without a byte-order mark is best)' },
  BARE_CR: {
    message: 'a line ends with a carriage return alone (classic Mac OS line endings), which is not read as a line break',
    hint: 'save the file with LF (or CRLF) line endings',
  },
  NESTING: { message: `the document nests deeper than ${MAX_DEPTH} levels`, hint: 'a phase file needs only a few levels of nesting' },
  EMPTY: { message: 'the file is empty', hint: 'a phase file starts with `phase: <number>`' },
  ALIAS_EXPANSION: { message: `aliases expand to more than ${MAX_ALIAS_EXPANSION} nodes`, hint: 'write the values out, or use fewer nested aliases' },
  UNKNOWN_ALIAS: { message: '', hint: 'define the anchor (&name) before using it' },
  NUL: { message: 'a NUL character (U+0000) is not allowed in a phase file', hint: 'remove it; no PostgreSQL text can hold one' },
  KEY_SHAPE: { message: 'a mapping key must be a plain name', hint: 'write the key as a plain word' },
  UNSUPPORTED: { message: 'unsupported YAML node', hint: 'use plain mappings, sequences and scalars' },
};

/** The help for an error the YAML library reports, by its code. */
function libraryHint(code: string): string {
  switch (code) {
    case 'TAB_AS_INDENT':
      return 'YAML indents with spaces only; replace the tab with spaces';
    case 'MULTIPLE_DOCS':
      return 'a phase file holds one YAML document; move the rest to a file of its own';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and the closing bracket of the line above';
    default:
      return 'fix the YAML syntax at this point';
  }
}

export const rule = defineRule({
  id: 'yaml-syntax',
  severity: 'error',
  stage: 'load',
  summary: 'A phase file is not well-formed YAML.',
  on: ['yaml-error'],
  check({ code, message }) {
    const own = OWN[code];
    if (own) return { message: message || own.message, hint: own.hint };
    const first = (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
    return { message: first, hint: libraryHint(code) };
  },
});
