/**
 * Default optimizer steps per alignment method, shared by the engine (`recx align train`, the API)
 * and the wizard, which leaves the field empty for these defaults. Why these numbers:
 * engine/align/train-align.ts and docs/alignment.md.
 */
export const DEFAULT_ALIGN_STEPS = { B: 3000, I: 2000, H: 2000 } as const;

/** "B 3000, I 2000, H 2000", for help texts and placeholders. */
export const DEFAULT_ALIGN_STEPS_TEXT = Object.entries(DEFAULT_ALIGN_STEPS)
  .map(([m, n]) => `${m} ${n}`)
  .join(', ');
