import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'drop-phase',
  severity: 'error',
  stage: 'history',
  summary: 'A phase whose features were already emitted disappears from the spec.',
  on: ['gone-phase'],
  check({ phase, lost }) {
    const names = lost.map((x) => `\`${x.feature}\``);
    const what =
      names.length === 1 ? `its feature ${names[0]} was emitted: its tables stay` : `its features ${names.join(', ')} were emitted: their tables stay`;
    return {
      message: `phase ${phase} is no longer in the spec, but ${what} in every database that applied them`,
      hint: `restore the phase ${phase} file; to build something new, add a new phase`,
    };
  },
});
