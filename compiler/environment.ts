/**
 * The schema an environment ends up with: its features folded in order, on
 * top of the tables the spec declares `existing:`.
 *
 * Input: a Spec and an Environment. Output: the tables of the final
 * SchemaState in fold order, each with its origin, without Supabase's own
 * tables (auth.users). Shared by the generators that describe a spec
 * (../typegen, ../dictionary), and the enums it ends up with.
 */
import { fold } from './diff/fold.js';
import { tableKey, unmanagedTable, type SchemaState, type TableState } from './diff/state.js';
import type { Environment, Feature, Spec } from './model/types.js';
import { featuresFor } from './verify/expected.js';

/** The final state of `environment`, Supabase's tables included (references name them). */
export function environmentState(spec: Spec, environment: Environment): SchemaState {
  const existing = spec.phases.flatMap((p) => p.existing);
  const { state } = fold(featuresFor(spec, environment), existing, () => false);
  // The fold adds a declared table when it reaches a feature of that phase or later; these come after every feature.
  for (const e of [...existing].sort((a, b) => a.phase - b.phase)) {
    const key = tableKey(e.schema, e.name);
    if (state.has(key)) continue;
    state.set(key, unmanagedTable(e, { kind: 'existing', span: e.span }, e.columns));
  }
  return state;
}

/** The tables of `environment` that the spec creates or declares, in fold order. */
export function environmentTables(spec: Spec, environment: Environment): TableState[] {
  return [...environmentState(spec, environment).values()].filter((t) => t.origin.kind !== 'builtin');
}

/** An enum of an environment: its values in order, each with the feature that added it. */
export interface EnumState {
  schema: string;
  name: string;
  values: Array<{ value: string; feature: Feature }>;
}

/** The enums of `environment`, in the order features create them, with the values later features add. */
export function environmentEnums(spec: Spec, environment: Environment): EnumState[] {
  const out = new Map<string, EnumState>();
  for (const feature of featuresFor(spec, environment))
    for (const e of [...feature.enums, ...feature.enumValues]) {
      const key = tableKey(e.schema, e.name);
      const state = out.get(key) ?? { schema: e.schema, name: e.name, values: [] };
      state.values.push(...e.values.map((v) => ({ value: v.value, feature })));
      out.set(key, state);
    }
  return [...out.values()];
}
