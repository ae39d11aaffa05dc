/**
 * Who introduced a table or a column, in words: the feature and its phase,
 * or the phase that declares it `existing:`.
 *
 * Input: a Spec and an Origin from the fold (../diff/state.ts). Output:
 * short Markdown phrases.
 */
import type { Origin } from '../diff/state.js';
import type { Feature, Spec } from '../model/types.js';
import { code, inline } from './markdown.js';

/** Origins answers where things came from, for one spec. */
export class Origins {
  private readonly features = new Map<string, Feature>();
  private readonly phaseOfFile = new Map<string, number>();

  constructor(spec: Spec) {
    for (const phase of spec.phases) {
      this.phaseOfFile.set(phase.file, phase.phase);
      for (const f of phase.features) this.features.set(f.name, f);
    }
  }

  /** The feature an origin names, if it is a feature of the spec. */
  feature(origin: Origin): Feature | null {
    return origin.kind === 'feature' ? (this.features.get(origin.feature) ?? null) : null;
  }

  /** Short: "`feature` (phase 2)", "existing (phase 0)", "Supabase". */
  short(origin: Origin): string {
    switch (origin.kind) {
      case 'feature': {
        const f = this.features.get(origin.feature);
        return `${code(origin.feature)}${f ? ` (phase ${f.phase})` : ''}`;
      }
      case 'existing': {
        const phase = this.phaseOfFile.get(origin.span.file);
        return `existing${phase === undefined ? '' : ` (phase ${phase})`}`;
      }
      case 'builtin':
        return 'Supabase';
    }
  }

  /** Long, for a table: "feature `x` of phase 2 (Title), in `schema/...yaml`". */
  long(origin: Origin): string {
    switch (origin.kind) {
      case 'feature': {
        const f = this.features.get(origin.feature);
        if (!f) return `feature ${code(origin.feature)}`;
        const staging = f.environments.includes('production') ? '' : ' (staging only)';
        return `feature ${code(f.name)}${staging} of phase ${f.phase} (${inline(f.phaseTitle)}), in ${code(f.file)}`;
      }
      case 'existing': {
        const phase = this.phaseOfFile.get(origin.span.file);
        return `an \`existing:\` declaration${phase === undefined ? '' : ` of phase ${phase}`}, in ${code(origin.span.file)}: pamc does not create it`;
      }
      case 'builtin':
        return 'Supabase';
    }
  }
}
