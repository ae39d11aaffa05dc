/** The limits of the YAML loader on hostile input: nesting depth, and nodes reached through aliases in total. */
export const MAX_DEPTH = 64;
export const MAX_ALIAS_EXPANSION = 10_000;
