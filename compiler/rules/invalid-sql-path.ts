import { closest } from './describe.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'invalid-sql-path',
  severity: 'error',
  stage: 'model',
  summary: 'A `sql:` path that is absolute, leads out of the schema directory, is not a .sql file, or names no file.',
  on: ['sql-path'],
  check({ written, resolved, dir, found, files }) {
    const inside = dir === '.' ? resolved !== '..' && !resolved.startsWith('../') : resolved.startsWith(`${dir}/`);
    const relative = 'write the path relative to the phase file, with `/` between folders, to a .sql file under the schema directory';
    if (written.startsWith('/') || written.includes('\\') || /^[A-Za-z]:/.test(written))
      return { message: `the SQL file \`${written}\` is an absolute or Windows-style path`, hint: relative };
    if (!inside)
      return {
        message: `the SQL file \`${written}\` leads to ${resolved}, outside the schema directory ${dir}`,
        hint: `keep the SQL files of features under ${dir}/ (for example ${dir}/sql/), so they are reviewed and frozen with the spec`,
      };
    if (!written.endsWith('.sql')) return { message: `\`${written}\` is not a .sql file`, hint: relative };
    if (found) return null;
    const guess = closest(resolved, files);
    return {
      message: `the SQL file ${resolved} does not exist`,
      hint: guess ? `did you mean ${guess}?` : `create it, or name a .sql file under ${dir}/ (relative to the phase file)`,
    };
  },
});
