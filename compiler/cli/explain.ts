/**
 * `pamc explain [rule]`: a rule's documentation, or the list of every rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { findRule, RULES } from '../rules/index.js';
import { PACKAGE_ROOT } from './commands.js';
import { fail, type Context } from './context.js';

export function explainCommand(id: string | undefined, ctx: Context): number {
  if (!id) {
    const width = Math.max(...RULES.map((r) => r.id.length));
    ctx.stdout.write(RULES.map((r) => `${r.id.padEnd(width)}  ${r.severity.padEnd(7)}  ${r.summary}\n`).join(''));
    return 0;
  }
  const rule = findRule(id);
  if (!rule) return fail(ctx, `unknown rule \`${id}\`; \`pamc explain\` lists them all`);
  const doc = new URL(`docs/rules/${rule.id}.md`, PACKAGE_ROOT);
  ctx.stdout.write(existsSync(doc) ? readFileSync(doc, 'utf8') : `${rule.id} (${rule.severity}): ${rule.summary}\n`);
  return 0;
}
