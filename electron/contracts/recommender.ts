/** Schemas of the stored target recommender (`<project>/recommender/model.json`) and its evaluation. */
import { z } from 'zod';

export const RECOMMENDER_SCHEMA_VERSION = 1;

export const recommenderKindSchema = z.enum(['sasrec', 'mf', 'onnx', 'embeddings', 'lists']);

export const recommenderManifestSchema = z.object({
  schemaVersion: z.literal(RECOMMENDER_SCHEMA_VERSION),
  kind: recommenderKindSchema,
  createdAt: z.string(),
  /** contentHash of the dataset the recommender belongs to (refuses to run on another one). */
  dataContentHash: z.string(),
  numItems: z.number().int().positive(),
  /** Embedding width; null for list-only recommenders. */
  dim: z.number().int().positive().nullable(),
  /** Kind-specific settings and file names, validated by that kind's module. */
  details: z.record(z.string(), z.unknown()),
});
export type RecommenderManifest = z.infer<typeof recommenderManifestSchema>;

/** HR@k / NDCG@k keyed like "HR@10". */
export const rankingMetricsSchema = z.record(z.string(), z.number());
export type RankingMetrics = z.infer<typeof rankingMetricsSchema>;

export const evaluationReportSchema = z.object({
  /** Ranking against all items the user has not interacted with. */
  full: rankingMetricsSchema,
  /** Ranking against 100 sampled non-interacted items (as many papers report). */
  sampled100: rankingMetricsSchema,
  baselines: z.object({
    popularity: z.object({ full: rankingMetricsSchema, sampled100: rankingMetricsSchema }),
    random: z.object({ full: rankingMetricsSchema, sampled100: rankingMetricsSchema }),
  }),
  split: z.enum(['validation', 'test']),
  users: z.number().int(),
});
export type EvaluationReport = z.infer<typeof evaluationReportSchema>;
