/** The formats diagnostics are rendered in (./render.ts). */
export const FORMATS = ['text', 'json', 'github', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];
