/**
 * The engine host's message loop, independent of the transport: validates each incoming message
 * against the contracts, checks its paths against the granted folders, runs it through the API
 * handlers and sends back exactly one response; job events are sent as they happen. host-process.ts
 * connects it to Electron's utilityProcess port or a Node IPC channel; tests drive it directly.
 */
import type { ApiMethod } from '../../contracts/api.ts';
import { type EventName, eventSchemas } from '../../contracts/events.ts';
import { type EventMessage, eventMessage, parseRequest, type ResponseMessage } from '../../contracts/messages.ts';
import { JobRunner, toApiError } from '../project/jobs.ts';
import { PipelineRunner } from '../project/pipelines.ts';
import { accessError, deniedPath } from './access-policy.ts';
import { type ApiHandlers, createApiHandlers, dispatch, type HostInfo } from './api-handlers.ts';
import { type HostOutgoing, isControlMessage } from './host-protocol.ts';

export interface EngineHostOptions extends HostInfo {
  send: (message: HostOutgoing) => void;
  /** Folders requests may touch from the start (browser mode: the bridge's root). */
  roots?: string[];
  /** Replaces the real handlers (tests). */
  handlers?: (jobs: JobRunner) => Partial<ApiHandlers>;
}

export class EngineHost {
  readonly jobs: JobRunner;
  readonly pipelines: PipelineRunner;
  private readonly handlers: ApiHandlers;
  private readonly roots: Set<string>;
  private closed = false;

  constructor(private readonly opts: EngineHostOptions) {
    this.roots = new Set(opts.roots ?? []);
    const emit = <E extends EventName>(event: E, data: unknown) => {
      // Events are checked before they leave: a malformed one is a bug, not something a UI should parse.
      const parsed = eventSchemas[event].safeParse(data);
      if (!parsed.success) {
        process.stderr.write(`engine host: dropped malformed ${event} event: ${parsed.error.message}\n`);
        return;
      }
      this.opts.send(eventMessage(event, parsed.data as never) as EventMessage);
    };
    this.jobs = new JobRunner({
      update: (info) => emit('job.update', info),
      metrics: (data) => emit('job.metrics', data),
      token: (data) => emit('job.token', data),
    });
    const info: HostInfo = { version: opts.version, mode: opts.mode, projectsRoot: opts.projectsRoot };
    // Pipeline steps go through the same handlers as requests (their paths were checked with the
    // pipeline's: access-policy.ts looks into the steps).
    this.pipelines = new PipelineRunner({
      jobs: this.jobs,
      emit: (p) => emit('pipeline.update', p),
      start: async (step) => {
        const r = (await dispatch(this.handlers, step.kind, step.params as never)) as { job?: unknown };
        return typeof r?.job === 'string' ? r.job : null;
      },
    });
    this.handlers = {
      ...createApiHandlers(this.jobs, info, this.pipelines),
      ...(opts.handlers?.(this.jobs) ?? {}),
    };
  }

  get grantedRoots(): string[] {
    return [...this.roots];
  }

  /** Handles one message from the parent; resolves once its response was sent. */
  async handle(raw: unknown): Promise<void> {
    if (isControlMessage(raw)) {
      if (raw.action === 'grant' && typeof raw.dir === 'string') this.roots.add(raw.dir);
      if (raw.action === 'shutdown') await this.close();
      return;
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) {
      this.opts.send(parsed.response);
      return;
    }
    const { id, method, params } = parsed.request;
    const denied = deniedPath(method, params, [...this.roots]);
    if (denied) {
      this.opts.send({ type: 'response', id, ok: false, error: accessError(denied) });
      return;
    }
    let response: ResponseMessage;
    try {
      const result = await dispatch(this.handlers, method as ApiMethod, params);
      response = { type: 'response', id, ok: true, result };
    } catch (err) {
      response = { type: 'response', id, ok: false, error: toApiError(err) };
    }
    if (!this.closed) this.opts.send(response);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.jobs.close();
  }
}
