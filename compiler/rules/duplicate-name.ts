import type { FactOf } from './facts.js';
import { derivedNames } from '../model/names.js';
import { policiesOf } from '../emit/access.js';
import { defineRule, type Finding } from './rule.js';

/** Phase numbers and feature names used twice: the first phase read with a number is kept, features compared across the kept phases. */
function phases({ phases: read }: FactOf<'phases'>): Finding[] {
  const out: Finding[] = [];
  const kept = new Map<number, (typeof read)[number]>();
  for (const p of read) {
    const first = kept.get(p.phase);
    if (first)
      out.push({ message: `phase ${p.phase} is also defined in ${first.file}`, hint: 'give each phase file its own phase number', span: p.numberSpan });
    else kept.set(p.phase, p);
  }
  const seen = new Map<string, { phase: number; file: string }>();
  for (const feature of [...kept.values()].sort((a, b) => a.phase - b.phase).flatMap((p) => p.features)) {
    const other = seen.get(feature.name);
    if (!other) seen.set(feature.name, feature);
    else {
      out.push({
        message: `feature \`${feature.name}\` is also defined in phase ${other.phase} (${other.file})`,
        hint: 'feature names become migration file names: give each feature its own name',
        span: feature.span,
      });
    }
  }
  return out;
}

/** Constraint names derived from two columns of one table that collide. */
function constraints({ table }: FactOf<'table'>): Finding[] {
  const out: Finding[] = [];
  const taken = new Set<string>();
  for (const c of table.columns) {
    for (const [what, name] of derivedNames(table.name, c)) {
      if (taken.has(name))
        out.push({ message: `the ${what} \`${name}\` collides with another constraint of \`${table.name}\``, hint: 'rename one of the columns', span: c.span });
      taken.add(name);
    }
  }
  return out;
}

export const rule = defineRule({
  id: 'duplicate-name',
  severity: 'error',
  stage: 'model',
  summary: 'Two phases, features, tables, enums, columns, indexes or derived names that collide.',
  on: ['phases', 'table', 'relation', 'index', 'policy-names', 'create-enum'],
  check(fact) {
    switch (fact.kind) {
      case 'create-enum':
        if (!fact.clash) return null;
        return {
          message: `enum \`${fact.type.name}\` takes a name ${fact.clash} already has: PostgreSQL keeps types and tables in one namespace per schema`,
          hint: fact.clash === 'an enum' ? `to add values, write \`extend: { ${fact.type.name}: { values: [...] } }\`` : 'choose another name',
        };
      case 'phases':
        return phases(fact);
      case 'table':
        return constraints(fact);
      case 'relation':
        if (fact.holder === undefined) return null;
        return {
          message: `the ${fact.what} \`${fact.name}\` is already a relation of schema ${fact.schema} (from ${fact.holder})`,
          hint: 'PostgreSQL keeps tables and indexes in one namespace per schema: choose another name',
        };
      case 'policy-names': {
        const seen = new Set<string>();
        const out: Finding[] = [];
        for (const p of policiesOf(fact.table)) {
          if (seen.has(p.name))
            out.push({
              message: `two rules of \`${fact.table.name}\` make a policy named "${p.name}"`,
              hint: 'set another `label:`, or rename the written policy',
            });
          seen.add(p.name);
        }
        return out;
      }
      case 'index': {
        const names = fact.table.columns.map((c) => c.column.name);
        if (fact.index.columns.some((c) => !names.includes(c))) return null;
        if (!fact.table.indexes.some((i) => i.index.name === fact.index.name)) return null;
        return { message: `table \`${fact.table.name}\` already has an index \`${fact.index.name}\``, hint: 'give the index another `name:`' };
      }
    }
  },
});
