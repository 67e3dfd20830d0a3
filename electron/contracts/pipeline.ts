/** The state of a pipeline (see pipelineStepSchema in api.ts): reported by `pipeline.*` requests and `pipeline.update` events. */
import { z } from 'zod';

export const PIPELINE_STEP_STATES = ['pending', 'running', 'done', 'failed', 'cancelled'] as const;
export const pipelineInfoSchema = z.object({
  id: z.string().min(1),
  project: z.string(),
  state: z.enum(['running', 'done', 'failed', 'cancelled']),
  steps: z.array(
    z.object({
      kind: z.string(),
      label: z.string(),
      state: z.enum(PIPELINE_STEP_STATES),
      /** The job the step started (null before it starts, and for steps that need no job). */
      job: z.string().nullable(),
      error: z.string().nullable(),
    }),
  ),
  createdAt: z.string(),
});
export type PipelineInfo = z.infer<typeof pipelineInfoSchema>;
