import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'moved-output',
  severity: 'error',
  stage: 'output',
  summary: "The output directory differs from the base ref's: what was shipped is judged where the base keeps it.",
  on: ['setting'],
  check({ setting, base, current, ref }) {
    if (setting !== 'out' || base === current) return null;
    return {
      message: `the output directory is \`${current}\`, but ${ref} keeps its migrations in \`${base}\`: a pull request is judged by the base's settings, and every shipped migration stays where it was applied from`,
      hint: `keep \`"out": "${base}"\`; moving the migrations directory is a change of its own, made on the base branch by people who can apply it`,
    };
  },
});
