/** Schemas of the stored dataset (`<project>/data/dataset.json`) and its summaries. */
import { z } from 'zod';

export const DATASET_SCHEMA_VERSION = 1;

export const sourceFileSchema = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

export const lengthStatsSchema = z.object({
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  median: z.number(),
  p90: z.number(),
});

export const datasetCountsSchema = z.object({
  users: z.number().int().nonnegative(),
  items: z.number().int().nonnegative(),
  interactions: z.number().int().nonnegative(),
  sparsity: z.number().min(0).max(1),
});

export const datasetParametersSchema = z.object({
  kCore: z.number().int().nonnegative(),
  topItems: z.number().int().positive().optional(),
  maxUsers: z.number().int().positive().optional(),
  seed: z.number().int(),
  encoding: z.string().optional(),
  csv: z.record(z.string(), z.unknown()).optional(),
  synthetic: z.object({ users: z.number().int(), items: z.number().int() }).optional(),
});

export const datasetManifestSchema = z.object({
  schemaVersion: z.literal(DATASET_SCHEMA_VERSION),
  format: z.string(),
  sources: z.array(sourceFileSchema),
  /** sha256 over the source files' hashes, in order: identifies the raw input. */
  sourceHash: z.string(),
  /** sha256 over the stored arrays and item/user files: identifies the processed data. */
  contentHash: z.string(),
  parameters: datasetParametersSchema,
  counts: datasetCountsSchema,
  sequenceLength: lengthStatsSchema,
  split: z.object({
    scheme: z.literal('leave-one-out'),
    train: z.number().int(),
    validation: z.number().int(),
    test: z.number().int(),
  }),
  stages: z.array(z.object({ stage: z.string(), users: z.number(), items: z.number(), interactions: z.number() })),
  warnings: z.array(z.string()),
  hasGroundTruth: z.boolean(),
});

export type DatasetManifest = z.infer<typeof datasetManifestSchema>;
export type DatasetParameters = z.infer<typeof datasetParametersSchema>;
export type DatasetCounts = z.infer<typeof datasetCountsSchema>;

export const popularItemSchema = z.object({ id: z.number(), title: z.string(), count: z.number() });

/** What `recx data inspect` reports. */
export const datasetInspectionSchema = datasetCountsSchema.extend({
  project: z.string(),
  format: z.string(),
  sequenceLength: lengthStatsSchema,
  split: z.object({ train: z.number(), validation: z.number(), test: z.number() }),
  popularItems: z.array(popularItemSchema),
  warnings: z.array(z.string()),
});
export type DatasetInspection = z.infer<typeof datasetInspectionSchema>;
