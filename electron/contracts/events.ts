/** Events the engine host pushes to every connected UI (IPC in Electron, WebSocket in browser mode). */
import { z } from 'zod';
import { jobInfoSchema } from './jobs.ts';
import { pipelineInfoSchema } from './pipeline.ts';

/**
 * One line of a training job's metrics: a step (loss, lr, tokens/s, memory, ETA; alignment runs
 * also the batch's task mix) or an evaluation (held-out loss per task, `loss/T3`, or a
 * recommender's validation metrics).
 */
export const metricsLineSchema = z.object({
  step: z.number().int().nonnegative(),
  /** Seconds since the job started (the time x-axis). */
  timeSec: z.number().nonnegative().optional(),
  loss: z.number().optional(),
  lr: z.number().optional(),
  tokensPerSec: z.number().optional(),
  rssMb: z.number().optional(),
  etaSec: z.number().nullable().optional(),
  tasks: z.record(z.string(), z.number()).optional(),
  eval: z.record(z.string(), z.number()).optional(),
  epoch: z.number().int().optional(),
});
export type MetricsLine = z.infer<typeof metricsLineSchema>;

export const eventSchemas = {
  /** A job was queued, started, progressed or ended. */
  'job.update': jobInfoSchema,
  /** New training metrics of a job (several lines at once when they come fast). */
  'job.metrics': z.object({ job: z.string(), run: z.string().nullable(), lines: z.array(metricsLineSchema) }),
  /** Generated text of an explanation job, as it is produced (`text` is the whole text so far). */
  'job.token': z.object({ job: z.string(), model: z.string(), text: z.string(), done: z.boolean() }),
  /** A pipeline started, moved to its next step or ended. */
  'pipeline.update': pipelineInfoSchema,
} as const;

export type EventName = keyof typeof eventSchemas;
export type EventData<E extends EventName> = z.infer<(typeof eventSchemas)[E]>;
export const EVENT_NAMES = Object.keys(eventSchemas) as EventName[];
