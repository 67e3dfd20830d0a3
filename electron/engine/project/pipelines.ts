/**
 * Pipelines: the wizard's Run as a plan the engine host executes (contracts: pipelineStepSchema,
 * PipelineInfo), so it goes on when the page reloads or closes. Steps start one after the other,
 * each once the previous one's job has ended; the first failure or a cancel stops the rest. An
 * `align.eval` step without a run evaluates the run of the nearest `align.train` step before it.
 */
import type { PipelineStep } from '../../contracts/api.ts';
import type { JobInfo } from '../../contracts/jobs.ts';
import type { PipelineInfo } from '../../contracts/pipeline.ts';
import { type JobRunner, toApiError } from './jobs.ts';

export interface PipelineDeps {
  jobs: JobRunner;
  /** Sends the step's request; returns the job it started, or null when the request did the work. */
  start(step: PipelineStep): Promise<string | null>;
  emit(info: PipelineInfo): void;
  now?: () => Date;
}

/** The run an alignment job wrote (set as it starts; also in its result). */
function runOfJob(job: JobInfo | null): string | null {
  if (!job) return null;
  const fromResult = (job.result as { run?: unknown } | undefined)?.run;
  return job.run ?? (typeof fromResult === 'string' ? fromResult : null);
}

export class PipelineRunner {
  private readonly pipelines = new Map<string, PipelineInfo>();
  private readonly cancelled = new Set<string>();
  private seq = 0;

  constructor(private readonly deps: PipelineDeps) {}

  list(): PipelineInfo[] {
    return [...this.pipelines.values()].map((p) => structuredClone(p));
  }

  start(project: string, steps: PipelineStep[]): PipelineInfo {
    const id = `pipeline-${++this.seq}-${Date.now().toString(36)}`;
    const info: PipelineInfo = {
      id,
      project,
      state: 'running',
      steps: steps.map((s) => ({ kind: s.kind, label: s.label, state: 'pending', job: null, error: null })),
      createdAt: (this.deps.now?.() ?? new Date()).toISOString(),
    };
    this.pipelines.set(id, info);
    this.emit(info);
    const started = structuredClone(info); // as queued: execute() begins changing it at once
    void this.execute(info, steps);
    return started;
  }

  cancel(id: string): boolean {
    const info = this.pipelines.get(id);
    if (info?.state !== 'running') return false;
    this.cancelled.add(id);
    const current = info.steps.find((s) => s.state === 'running');
    if (current?.job) this.deps.jobs.cancel(current.job);
    return true;
  }

  private emit(info: PipelineInfo): void {
    this.deps.emit(structuredClone(info));
  }

  private async execute(info: PipelineInfo, steps: PipelineStep[]): Promise<void> {
    let lastAlign: JobInfo | null = null;
    for (const [k, step] of steps.entries()) {
      const state = info.steps[k];
      if (this.cancelled.has(info.id)) break;
      state.state = 'running';
      this.emit(info);
      try {
        let request = step;
        if (step.kind === 'align.eval' && !step.params.run) {
          const run = runOfJob(lastAlign);
          if (!run) throw new Error('no alignment run to evaluate: put an align.train step before it, or name the run');
          request = { ...step, params: { ...step.params, run } };
        }
        const job = await this.deps.start(request);
        state.job = job;
        this.emit(info);
        if (job) {
          const done = await this.deps.jobs.whenDone(job);
          if (step.kind === 'align.train') lastAlign = done;
          if (done.state !== 'done') {
            state.state = done.state === 'cancelled' ? 'cancelled' : 'failed';
            state.error = done.error?.message ?? `the job was ${done.state}`;
            break;
          }
        }
        state.state = 'done';
        this.emit(info);
      } catch (err) {
        state.state = 'failed';
        state.error = toApiError(err).message;
        break;
      }
    }
    const failed = info.steps.some((s) => s.state === 'failed');
    const stopped = this.cancelled.has(info.id) || info.steps.some((s) => s.state === 'cancelled');
    for (const s of info.steps) if (s.state === 'pending') s.state = 'cancelled';
    info.state = failed ? 'failed' : stopped ? 'cancelled' : 'done';
    this.cancelled.delete(info.id);
    this.emit(info);
  }
}
