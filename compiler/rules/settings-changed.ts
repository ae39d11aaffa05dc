import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'settings-changed',
  severity: 'warning',
  stage: 'output',
  summary: "A setting in package.json that changes what `build` emits differs from the base ref's (the schema directory, the policy-name prefix).",
  on: ['setting'],
  check({ setting, base, current, ref }) {
    if (setting === 'out' || base === current) return null;
    const what = setting === 'prefix' ? 'the policy-name prefix' : 'the schema directory';
    const shown = (v: string): string => (v === '' ? 'empty' : `\`${v}\``);
    return {
      message: `${what} is ${shown(current)}, but ${shown(base)} at ${ref}: the migrations of new features change with it (${setting === 'prefix' ? 'their policy names' : 'their source lines'}), shipped ones do not`,
      hint: `keep \`"${setting}": "${base}"\` unless the change is meant; a reviewer should see it`,
    };
  },
});
