/**
 * Engine state that streams in: jobs (job.update), metrics lines per run (job.metrics) and
 * explanation text per job and model (job.token). Not persisted: after a reload `jobs.list` and
 * `runs.metrics` rebuild it from the engine, which outlives the page.
 */
import { create } from 'zustand';
import type { EventData, JobInfo, MetricsLine, RecxApi } from '../contracts.ts';
import { mergeMetricLines, metricsKey } from './metrics.ts';

export interface StreamedText {
  text: string;
  done: boolean;
}

export interface JobsState {
  jobs: Record<string, JobInfo>;
  /** Keyed by run id, or `job:<id>` for jobs without a run (the recommender's training). */
  metrics: Record<string, MetricsLine[]>;
  /** job id → model (run id) → text so far. */
  tokens: Record<string, Record<string, StreamedText>>;
  /** Freezes chart updates; lines keep accumulating and show on resume. */
  frozen: boolean;
  upsertJob(job: JobInfo): void;
  addMetrics(e: EventData<'job.metrics'>): void;
  setHistory(run: string, lines: MetricsLine[]): void;
  addToken(e: EventData<'job.token'>): void;
  setFrozen(frozen: boolean): void;
}

export const useJobsStore = create<JobsState>()((set) => ({
  jobs: {},
  metrics: {},
  tokens: {},
  frozen: false,
  upsertJob: (job) => set((s) => ({ jobs: { ...s.jobs, [job.id]: job } })),
  addMetrics: (e) =>
    set((s) => {
      const key = metricsKey(e.run, e.job);
      return { metrics: { ...s.metrics, [key]: mergeMetricLines(s.metrics[key] ?? [], e.lines) } };
    }),
  setHistory: (run, lines) =>
    set((s) => ({ metrics: { ...s.metrics, [run]: mergeMetricLines(lines, s.metrics[run] ?? []) } })),
  addToken: (e) =>
    set((s) => ({
      tokens: { ...s.tokens, [e.job]: { ...s.tokens[e.job], [e.model]: { text: e.text, done: e.done } } },
    })),
  setFrozen: (frozen) => set({ frozen }),
}));

export const isTerminal = (j: JobInfo) => j.state === 'done' || j.state === 'failed' || j.state === 'cancelled';

/** Feeds the store from the engine's events and restores jobs still known to it; returns the unsubscribe. */
export function connectJobEvents(api: RecxApi): () => void {
  const s = useJobsStore.getState();
  const offs = [
    api.on('job.update', (j) => s.upsertJob(j)),
    api.on('job.metrics', (e) => s.addMetrics(e)),
    api.on('job.token', (e) => s.addToken(e)),
  ];
  api
    .invoke('jobs.list', {})
    .then((jobs) => {
      // An event may have arrived meanwhile with a newer state: keep it.
      for (const j of jobs) if (!useJobsStore.getState().jobs[j.id]) s.upsertJob(j);
    })
    .catch(() => {});
  return () => {
    for (const off of offs) off();
  };
}

/** The job to show in the header: the running one, else the oldest queued, else null. */
export function currentJob(jobs: Record<string, JobInfo>): JobInfo | null {
  const all = Object.values(jobs);
  return (
    all.find((j) => j.state === 'running') ??
    all.filter((j) => j.state === 'queued').sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0] ??
    null
  );
}
