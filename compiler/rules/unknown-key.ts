import { closest } from './describe.js';
import { errorPlace } from '../validate/errors.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'unknown-key',
  severity: 'error',
  stage: 'validate',
  summary: 'A key that the pamc language does not know (often a typo).',
  on: ['schema-error'],
  check(fact) {
    const { error, root } = fact;
    if (error.keyword !== 'additionalProperties') return null;
    const at = errorPlace(root, error);
    const extra = String((error.params as { additionalProperty: string }).additionalProperty);
    const entry = at.node.kind === 'map' ? at.node.entries.find((e) => e.key === extra) : undefined;
    const allowed = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
    // `{ type: numeric(10,2) }`: in a flow mapping the comma ends the pair, and YAML reads `2)` as a key.
    const split = at.node.kind === 'map' ? at.node.entries.find((e) => e.value.kind === 'scalar' && /\($|\([^)]*$/.test(String(e.value.value))) : undefined;
    if (split && /^[^(]*\)/.test(extra)) {
      const whole = `${String(split.value.kind === 'scalar' ? split.value.value : '')},${extra}`;
      return {
        message: `\`${split.key}: ${whole}\` was split at its comma: YAML reads \`${extra}\` as a key of its own`,
        hint: `quote the value: \`${split.key}: "${whole}"\``,
        span: entry?.keySpan ?? at.node.span,
      };
    }
    const guess = closest(extra, allowed);
    return {
      message: `unknown key \`${extra}\` in ${at.what === 'the file' ? 'a phase file' : at.what}`,
      hint: guess ? `did you mean \`${guess}\`?` : `allowed keys: ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      span: entry?.keySpan ?? at.node.span,
    };
  },
});
