import { EXPOSED_SCHEMAS, relationText } from '../sql/classify.js';
import { defineRule } from './rule.js';

export const rule = defineRule({
  id: 'sql-unsafe-function',
  severity: 'error',
  stage: 'fold',
  summary: 'A SECURITY DEFINER function of a SQL feature without a fixed search_path, or one the API can call (not a trigger function, in an exposed schema).',
  on: ['sql-statement'],
  check({ action }) {
    if (action.kind !== 'function' || !action.definer) return null;
    const name = `\`${relationText(action.name)}\``;
    if (!action.searchPath)
      return {
        message: `SECURITY DEFINER function ${name} has no fixed search_path: it runs with its owner’s rights but finds tables and functions through the caller’s search_path, which a caller can point at objects of their own`,
        hint: "add `set search_path = ''` to its definition and write every name in its body with its schema (`public.profiles`), as Supabase advises",
      };
    if (!action.callable || !EXPOSED_SCHEMAS.includes(action.name.schema)) return null;
    return {
      message: `SECURITY DEFINER function ${name} is in schema ${action.name.schema}, which the API exposes: anyone with the anon key can call it (/rpc) with its owner’s rights, which row level security does not limit`,
      hint: 'create it in a schema the API does not expose (pamc’s own helpers are in `private`), or make it SECURITY INVOKER; a function that returns trigger cannot be called and may stay',
    };
  },
});
