/**
 * Layout of `<project>/recommender/exports/` and the schema of its `summary.json`. The exports are
 * the target recommender's labels for alignment (DESIGN.md §6), computed once so that every
 * alignment-task generator reads the same frozen answers.
 *
 *   anchors.safetensors  one row per anchor (n rows), −1 / NaN where a label is missing:
 *     user [n] i32 (1-based) · position [n] i32 (history = the user's items before it) ·
 *     is_test [n] u8 · top1 [n] i32 · top1_score [n] f32 · candidates [n,5] i32 (best first) ·
 *     candidate_scores [n,5] f32 · pos [n] i32 · pos_score [n] f32 · neg [n] i32 · neg_score [n] f32 ·
 *     user_vectors [n,dim] f32 (recommenders with vectors only)
 *   items.safetensors    recommenders with vectors only: sim_item [numItems+1] i32 and
 *     sim_score [numItems+1] f32 (row 0 = padding = −1 / NaN)
 *   summary.json         this schema
 */
import path from 'node:path';
import { z } from 'zod';
import { recommenderKindSchema } from '../../../contracts/recommender.ts';

export const EXPORTS_DIR = ['recommender', 'exports'] as const;
export const exportsDir = (projectDir: string) => path.join(projectDir, ...EXPORTS_DIR);
export const EXPORT_FILES = {
  anchors: 'anchors.safetensors',
  items: 'items.safetensors',
  summary: 'summary.json',
} as const;
export const EXPORT_SCHEMA_VERSION = 1;
export const NUM_CANDIDATES = 5;
/** Item id stored where a label does not exist (its score is NaN). */
export const NO_ITEM = -1;

/** The label definitions written into every summary, so a reader never has to guess. */
export const LABEL_DEFINITIONS = {
  order:
    'non-history items (ids 1..numItems minus the anchor history) ranked by score descending, ties by lower id first; N = their number; rank 0 = best',
  top1: 'the rank-0 item',
  candidates: 'min(5, N) distinct non-history items drawn uniformly, stored by rank (best first)',
  pos: 'uniform over ranks [0, floor(N/5)): score >= the rank-floor(N/5) score (strictly above when scores are distinct); none when N < 5',
  neg: 'uniform over ranks (floor(N/2), N-1]: score <= the rank-floor(N/2) score (strictly below when scores are distinct); none when N < 3',
  sim_item:
    'per item i: the other item j (j != i, j != 0) with the largest dot product of item-table rows, ties by lower id',
  lists:
    'list-only recommenders: the list filtered to non-history items takes the place of the ranking (N = its length); no scores (NaN), no vectors, no sim_item',
} as const;

const countsSchema = z.object({
  users: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  anchors: z.number().int().nonnegative(),
  trainAnchors: z.number().int().nonnegative(),
  testAnchors: z.number().int().nonnegative(),
  /** Users whose anchors were capped by maxAnchorsPerUser. */
  cappedUsers: z.number().int().nonnegative(),
  withTop1: z.number().int().nonnegative(),
  /** Anchors with all 5 candidates. */
  withFullCandidates: z.number().int().nonnegative(),
  withPos: z.number().int().nonnegative(),
  withNeg: z.number().int().nonnegative(),
});

export const alignmentExportSummarySchema = z.object({
  schemaVersion: z.literal(EXPORT_SCHEMA_VERSION),
  createdAt: z.string(),
  seed: z.number().int(),
  /** contentHash of the dataset the anchors index into. */
  dataContentHash: z.string(),
  recommender: z.object({
    kind: recommenderKindSchema,
    numItems: z.number().int().positive(),
    dim: z.number().int().positive().nullable(),
    canScore: z.boolean(),
  }),
  parameters: z.object({
    /** null = every anchor. */
    maxAnchorsPerUser: z.number().int().positive().nullable(),
    batchSize: z.number().int().positive(),
    numCandidates: z.literal(NUM_CANDIDATES),
    /** Which anchors exist: training positions + test ('train+test'), or the test one only ('test'). */
    anchors: z.enum(['train+test', 'test']),
  }),
  counts: countsSchema,
  hasUserVectors: z.boolean(),
  hasSimItem: z.boolean(),
  files: z.object({ anchors: z.string(), items: z.string().nullable() }),
  definitions: z.record(z.string(), z.string()),
  notes: z.array(z.string()),
  timingSeconds: z.object({ anchors: z.number(), simItem: z.number(), total: z.number() }),
});
export type AlignmentExportSummary = z.infer<typeof alignmentExportSummarySchema>;
