/**
 * An in-memory RecxApi for renderer tests: canned answers per method (a function of the params, or
 * one that throws a RecxApiError), a log of calls, and `emit` to push engine events.
 */
import type {
  ApiMethod,
  ApiParams,
  ApiResult,
  EventData,
  EventName,
  JobInfo,
  PipelineInfo,
  RecxApi,
} from '../../../renderer/src/contracts.ts';
import { RecxApiError } from '../../../renderer/src/contracts.ts';
import { emptyProjectSummary } from '../../helpers/project-summary.ts';

type Handler<M extends ApiMethod> = (params: ApiParams<M>) => ApiResult<M> | Promise<ApiResult<M>>;
export type Handlers = { [M in ApiMethod]?: Handler<M> };

export class FakeApi implements RecxApi {
  readonly calls: { method: ApiMethod; params: unknown }[] = [];
  private readonly listeners = new Map<EventName, Set<(data: unknown) => void>>();

  constructor(public handlers: Handlers = {}) {}

  invoke<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    this.calls.push({ method, params });
    const h = this.handlers[method] as Handler<M> | undefined;
    if (!h) return Promise.reject(new RecxApiError({ code: 'not-found', message: `fake: no answer for ${method}` }));
    try {
      return Promise.resolve(h(params));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  emit<E extends EventName>(event: E, data: EventData<E>): void {
    for (const l of this.listeners.get(event) ?? []) l(data);
  }

  callsOf<M extends ApiMethod>(method: M): ApiParams<M>[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.params as ApiParams<M>);
  }
}

export const inputError = (message: string, field?: string) =>
  new RecxApiError({ code: 'input', message, ...(field ? { field } : {}) });

export const summary = emptyProjectSummary;

export function job(over: Partial<JobInfo> & Pick<JobInfo, 'id' | 'kind'>): JobInfo {
  return {
    label: over.kind,
    project: '/projects/p',
    state: 'running',
    progress: null,
    run: null,
    error: null,
    createdAt: '2026-11-29T00:00:00Z',
    endedAt: null,
    ...over,
  };
}

/** A running pipeline of /projects/p whose steps are all pending, unless `over` says otherwise. */
export function pipeline(over: Partial<PipelineInfo> = {}): PipelineInfo {
  return {
    id: 'pl1',
    project: '/projects/p',
    state: 'running',
    steps: [
      { kind: 'align.train', label: 'Align I', state: 'pending', job: null, error: null },
      { kind: 'align.eval', label: 'Evaluate I', state: 'pending', job: null, error: null },
    ],
    createdAt: '2026-11-29T00:00:00Z',
    ...over,
  };
}

/** Marks a pipeline's steps with these states (the rest of each step as it was). */
export const withStates = (p: PipelineInfo, states: PipelineInfo['steps'][number]['state'][]): PipelineInfo => ({
  ...p,
  steps: p.steps.map((s, i) => ({ ...s, state: states[i] ?? s.state })),
});

/** Answers every start-up request the shell makes, for a browser-mode app with no project. */
export const baseHandlers = (): Handlers => ({
  'app.info': () => ({ version: '0.1.0', mode: 'browser', projectsRoot: '/projects' }),
  'jobs.list': () => [],
  'runs.list': () => [],
  'pipeline.list': () => [],
});
