/**
 * The engine host's job runner: long work (imports, training, evaluation, explanations) runs as
 * jobs that are queued, cancellable and report progress, metrics and streamed text as contract
 * events (contracts/jobs.ts, events.ts). Jobs live in the host process, so they outlive a renderer
 * reload (`list()` gives them back).
 *
 * Two lanes: heavy work runs one job at a time (each already uses every core; two at once would
 * only slow both and double the memory), while explanation jobs have their own lane so a user can
 * read explanations of finished runs while another run trains.
 * Progress updates are throttled (at most one `job.update` per job every 200 ms, state changes
 * always sent); metrics lines are batched on the same clock.
 */
import type { MetricsLine } from '../../contracts/events.ts';
import type { ApiError, JobInfo, JobKind, JobProgress } from '../../contracts/jobs.ts';
import { RecxError } from '../errors.ts';

export interface JobContext {
  readonly id: string;
  readonly signal: AbortSignal;
  progress(stage: string, done: number, total: number, etaSec?: number | null): void;
  metrics(line: MetricsLine): void;
  /** Streamed text of an explanation (`text` = everything so far). */
  token(model: string, text: string, done: boolean): void;
  /** The run folder the job writes (shown in the UI, used to find its metrics). */
  setRun(run: string): void;
}

export type JobWork = (ctx: JobContext) => Promise<unknown>;

export interface JobEvents {
  update(info: JobInfo): void;
  metrics(data: { job: string; run: string | null; lines: MetricsLine[] }): void;
  token(data: { job: string; model: string; text: string; done: boolean }): void;
}

/** Turns anything thrown by the engine into the error a UI shows. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof Error && err.name === 'AbortError') return { code: 'cancelled', message: 'cancelled' };
  if (err instanceof RecxError) {
    const field = (err as { details?: { field?: string } }).details?.field ?? (err as { field?: string }).field;
    return { code: 'input', message: err.message, ...(field ? { field } : {}) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

const LANE_OF: Record<JobKind, 'heavy' | 'explain'> = {
  'dataset.import': 'heavy',
  'recommender.train': 'heavy',
  'llm.createTiny': 'heavy',
  'align.train': 'heavy',
  'align.eval': 'heavy',
  explain: 'explain',
};

interface Job {
  info: JobInfo;
  work: JobWork;
  abort: AbortController;
  pendingLines: MetricsLine[];
  lastUpdate: number;
  dirty: boolean;
}

export class JobRunner {
  private readonly jobs = new Map<string, Job>();
  private readonly queues = { heavy: [] as Job[], explain: [] as Job[] };
  private readonly running = { heavy: null as Job | null, explain: null as Job | null };
  private seq = 0;
  private readonly waiters = new Map<string, ((info: JobInfo) => void)[]>();
  private readonly timer: ReturnType<typeof setInterval>;
  /** Finished jobs kept for `list()` (the newest ones). */
  private readonly keepFinished: number;

  constructor(
    private readonly events: JobEvents,
    opts: { flushMs?: number; keepFinished?: number; now?: () => Date } = {},
  ) {
    this.keepFinished = opts.keepFinished ?? 50;
    this.now = opts.now ?? (() => new Date());
    this.timer = setInterval(() => this.flush(), opts.flushMs ?? 200);
    this.timer.unref?.();
  }

  private readonly now: () => Date;

  submit(kind: JobKind, label: string, project: string, work: JobWork): JobInfo {
    const id = `job-${++this.seq}-${Date.now().toString(36)}`;
    const job: Job = {
      info: {
        id,
        kind,
        label,
        project,
        state: 'queued',
        progress: null,
        run: null,
        error: null,
        createdAt: this.now().toISOString(),
        endedAt: null,
      },
      work,
      abort: new AbortController(),
      pendingLines: [],
      lastUpdate: 0,
      dirty: false,
    };
    this.jobs.set(id, job);
    this.queues[LANE_OF[kind]].push(job);
    this.events.update({ ...job.info });
    queueMicrotask(() => this.pump(LANE_OF[kind]));
    return { ...job.info };
  }

  list(): JobInfo[] {
    return [...this.jobs.values()].map((j) => ({ ...j.info }));
  }

  get(id: string): JobInfo | null {
    const j = this.jobs.get(id);
    return j ? { ...j.info } : null;
  }

  /** Cancels a queued job at once, or asks a running one to stop (it saves a checkpoint where it can). */
  cancel(id: string): boolean {
    const job = this.jobs.get(id);
    if (!job || job.info.state === 'done' || job.info.state === 'failed' || job.info.state === 'cancelled')
      return false;
    if (job.info.state === 'queued') {
      const q = this.queues[LANE_OF[job.info.kind]];
      q.splice(q.indexOf(job), 1);
      this.finish(job, 'cancelled', null, { code: 'cancelled', message: 'cancelled before it started' });
      return true;
    }
    job.abort.abort(Object.assign(new Error('cancelled'), { name: 'AbortError' }));
    return true;
  }

  /** Resolves with the job's final info once it has ended (at once if it already has). */
  whenDone(id: string): Promise<JobInfo> {
    const info = this.get(id);
    if (!info) return Promise.reject(new Error(`no job ${id}`));
    if (info.endedAt !== null) return Promise.resolve(info);
    return new Promise((resolve) => {
      this.waiters.set(id, [...(this.waiters.get(id) ?? []), resolve]);
    });
  }

  /** Resolves when no job is queued or running. */
  async idle(): Promise<void> {
    while (this.running.heavy || this.running.explain || this.queues.heavy.length || this.queues.explain.length) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Stops the flush timer and cancels everything (host shutdown). */
  async close(): Promise<void> {
    for (const j of this.jobs.values()) this.cancel(j.info.id);
    await this.idle();
    this.flush();
    clearInterval(this.timer);
  }

  private pump(lane: 'heavy' | 'explain'): void {
    if (this.running[lane]) return;
    const job = this.queues[lane].shift();
    if (!job) return;
    this.running[lane] = job;
    job.info.state = 'running';
    this.events.update({ ...job.info });
    const ctx: JobContext = {
      id: job.info.id,
      signal: job.abort.signal,
      progress: (stage, done, total, etaSec = null) => {
        job.info.progress = { stage, done, total, etaSec: etaSec ?? null } satisfies JobProgress;
        job.dirty = true;
      },
      metrics: (line) => {
        job.pendingLines.push(line);
      },
      token: (model, text, done) => this.events.token({ job: job.info.id, model, text, done }),
      setRun: (run) => {
        job.info.run = run;
        job.dirty = true;
      },
    };
    job
      .work(ctx)
      .then(
        (result) => {
          // Training stopped on its signal returns normally with `completed: false`: that is a
          // cancel. Work that finished before it noticed the signal is done (its output exists).
          const stopped = (result as { completed?: unknown } | null)?.completed === false;
          if (job.abort.signal.aborted && stopped) {
            this.finish(job, 'cancelled', result, { code: 'cancelled', message: 'cancelled' });
          } else this.finish(job, 'done', result, null);
        },
        (err: unknown) => {
          const error = toApiError(err);
          this.finish(job, job.abort.signal.aborted ? 'cancelled' : 'failed', undefined, error);
        },
      )
      .finally(() => {
        this.running[lane] = null;
        this.pump(lane);
      });
  }

  private finish(job: Job, state: JobInfo['state'], result: unknown, error: ApiError | null): void {
    this.flushJob(job, true);
    job.info.state = state;
    job.info.error = error;
    if (result !== undefined) job.info.result = result;
    job.info.endedAt = this.now().toISOString();
    this.events.update({ ...job.info });
    for (const resolve of this.waiters.get(job.info.id) ?? []) resolve({ ...job.info });
    this.waiters.delete(job.info.id);
    this.prune();
  }

  private prune(): void {
    const finished = [...this.jobs.values()].filter((j) => j.info.endedAt !== null);
    for (const j of finished.slice(0, Math.max(0, finished.length - this.keepFinished))) this.jobs.delete(j.info.id);
  }

  private flushJob(job: Job, force: boolean): void {
    if (job.pendingLines.length > 0) {
      this.events.metrics({ job: job.info.id, run: job.info.run, lines: job.pendingLines });
      job.pendingLines = [];
    }
    if (job.dirty && (force || Date.now() - job.lastUpdate >= 150)) {
      job.dirty = false;
      job.lastUpdate = Date.now();
      this.events.update({ ...job.info });
    }
  }

  private flush(): void {
    for (const job of [this.running.heavy, this.running.explain]) if (job) this.flushJob(job, false);
  }
}
