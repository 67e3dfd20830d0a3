/**
 * Long work (imports, training, evaluation, explanations) runs as jobs in the engine host: a
 * request that starts one returns its id at once, and the job reports through events. Jobs outlive
 * the renderer (a reload lists them again with `jobs.list`).
 */
import { z } from 'zod';

export const JOB_KINDS = [
  'dataset.import',
  'recommender.train',
  'llm.createTiny',
  'align.train',
  'align.eval',
  'explain',
] as const;
export const jobKindSchema = z.enum(JOB_KINDS);
export type JobKind = z.infer<typeof jobKindSchema>;

export const JOB_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

/** An engine error in plain words; `field` names the request field it concerns, when one does. */
export const apiErrorSchema = z.object({
  message: z.string(),
  /** input: the request or its files are wrong (fix and retry); internal: a bug; cancelled; not-found. */
  code: z.enum(['input', 'internal', 'cancelled', 'not-found', 'forbidden']),
  field: z.string().optional(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

export const jobProgressSchema = z.object({
  /** What the job is doing now ('reading', 'training', 'evaluating', …). */
  stage: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  etaSec: z.number().nonnegative().nullable(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobInfoSchema = z.object({
  id: z.string().min(1),
  kind: jobKindSchema,
  /** Human label ("Align I, 400 steps"). */
  label: z.string(),
  project: z.string(),
  state: jobStateSchema,
  progress: jobProgressSchema.nullable(),
  /** The alignment run or other artefact the job writes, when it has one. */
  run: z.string().nullable(),
  /** JSON result of a finished job (per kind; e.g. the run id and final loss). */
  result: z.unknown().optional(),
  error: apiErrorSchema.nullable(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
});
export type JobInfo = z.infer<typeof jobInfoSchema>;

export const jobStartedSchema = z.object({ job: z.string().min(1) });
export type JobStarted = z.infer<typeof jobStartedSchema>;
