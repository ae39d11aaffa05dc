import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'invalid-sql',
  severity: 'error',
  stage: 'model',
  summary: 'A SQL file of a feature that PostgreSQL does not parse, holds no statement, or has a DO block pamc cannot read through.',
  on: ['sql-text'],
  check({ file, problem, message }) {
    switch (problem) {
      case 'syntax':
        return { message: `${file} does not parse: ${message}`, hint: 'fix the SQL; pamc reads it with PostgreSQL’s own parser' };
      case 'empty':
        return { message: `${file} holds no SQL statement`, hint: 'write the statements of the feature into it, or remove `sql:`' };
      case 'language':
        return {
          message: `a DO block in ${message}, not plpgsql: pamc cannot see which statements it runs`,
          hint: 'write the block in plpgsql, or its statements as plain SQL',
        };
      case 'dynamic':
        return {
          message: 'this DO block runs SQL built at run time (EXECUTE): pamc cannot check what it does',
          hint: 'write the statement itself in the block (plpgsql runs it as it is written), so pamc can check it',
        };
    }
  },
});
