/**
 * Main's side of the engine host (a utilityProcess running out/engine-host.mjs): forwards validated
 * requests and correlates responses, passes events on, replays folder grants after a restart, and
 * restarts the process when it crashes. Requests in flight when it dies get an error at once.
 * The process is injected (`spawn`), so all of this is tested without Electron.
 */
import type { ApiMethod } from '../contracts/api.ts';
import type { ApiError } from '../contracts/jobs.ts';
import { type EventMessage, parseEvent, responseMessageSchema } from '../contracts/messages.ts';
import type { ControlMessage } from '../engine/host/host-protocol.ts';
import { type HostReply, PendingRequests } from './pending-requests.ts';

/** What main needs of a utilityProcess (Electron's UtilityProcess satisfies it). */
export interface HostProcessLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'exit', listener: (code: number) => void): unknown;
  kill(): boolean;
}

export interface EngineHostClientOptions {
  spawn(): HostProcessLike;
  onEvent(message: EventMessage): void;
  /** Longest wait for one answer; the host's thread can be busy in an ORT run between messages. */
  requestTimeoutMs?: number;
  /** Longest wait for `{type:'ready'}` after a start before the process is killed and retried. */
  readyTimeoutMs?: number;
  restartDelayMs?: number;
  /** Consecutive starts that never became ready before giving up (a broken install, not a crash). */
  maxFailedStarts?: number;
  log?(line: string): void;
}

type State = 'idle' | 'starting' | 'ready' | 'stopped' | 'failed';

export class EngineHostClient {
  private proc: HostProcessLike | null = null;
  private state: State = 'idle';
  private readonly pending = new PendingRequests();
  /** Requests waiting for the host to become ready, by id: they survive a restart. */
  private queued = new Map<number, unknown>();
  /** Requests the current host has received: they die with it. */
  private readonly inFlight = new Set<number>();
  private readonly roots: string[] = [];
  private failedStarts = 0;
  private failure: string | null = null;
  private readyTimer: ReturnType<typeof setTimeout> | null = null;
  private restartTimer: ReturnType<typeof setTimeout> | null = null;
  private exitWaiters: (() => void)[] = [];

  constructor(private readonly options: EngineHostClientOptions) {}

  get status(): State {
    return this.state;
  }

  /** Folders the renderer may reach (main checks requests against these before forwarding). */
  get grantedRoots(): readonly string[] {
    return this.roots;
  }

  start(): void {
    if (this.state === 'starting' || this.state === 'ready' || this.state === 'stopped') return;
    this.clearTimers();
    this.state = 'starting';
    let proc: HostProcessLike;
    try {
      proc = this.options.spawn();
    } catch (e) {
      this.onExit(null, -1, e instanceof Error ? e.message : String(e));
      return;
    }
    this.proc = proc;
    proc.on('message', (m) => this.onMessage(proc, m));
    proc.on('exit', (code) => this.onExit(proc, code));
    this.readyTimer = setTimeout(() => {
      this.log(`engine host did not become ready within ${this.readyTimeoutMs} ms; killing it`);
      proc.kill();
    }, this.readyTimeoutMs);
    this.readyTimer.unref?.();
  }

  /** Lets requests reach `dir` (kept here for main's own check and replayed to every new host). */
  grant(dir: string): void {
    if (!this.roots.includes(dir)) this.roots.push(dir);
    if (this.state === 'ready') this.post({ type: 'control', action: 'grant', dir } satisfies ControlMessage);
  }

  /** Sends one validated request; always resolves (errors come back as `{ ok: false }`). */
  request(method: ApiMethod, params: unknown): Promise<HostReply> {
    if (this.state === 'failed' || this.state === 'stopped') {
      return Promise.resolve({ ok: false, error: this.unavailableError() });
    }
    const { id, reply } = this.pending.add(this.requestTimeoutMs, `"${method}"`);
    const message = { type: 'request', id, method, params };
    if (this.state === 'ready') this.send(id, message);
    else {
      this.queued.set(id, message);
      if (this.state === 'idle' && !this.restartTimer) this.start();
    }
    void reply.then(() => {
      this.queued.delete(id);
      this.inFlight.delete(id);
    });
    return reply;
  }

  /** Asks the host to checkpoint and exit; kills it after `graceMs`. No restart afterwards. */
  async shutdown(graceMs = 10_000): Promise<void> {
    const proc = this.proc;
    this.state = 'stopped';
    this.clearTimers();
    this.failRequests({ code: 'cancelled', message: 'the app is closing' });
    if (!proc) return;
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve));
    try {
      proc.postMessage({ type: 'control', action: 'shutdown' } satisfies ControlMessage);
    } catch {
      proc.kill();
    }
    const timer = setTimeout(() => proc.kill(), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private get requestTimeoutMs(): number {
    return this.options.requestTimeoutMs ?? 120_000;
  }

  private get readyTimeoutMs(): number {
    return this.options.readyTimeoutMs ?? 60_000;
  }

  private onMessage(proc: HostProcessLike, raw: unknown): void {
    if (proc !== this.proc) return;
    const type = (raw as { type?: unknown } | null)?.type;
    if (type === 'ready') {
      if (this.state !== 'starting') return;
      this.state = 'ready';
      this.failedStarts = 0;
      if (this.readyTimer) clearTimeout(this.readyTimer);
      for (const dir of this.roots) this.post({ type: 'control', action: 'grant', dir } satisfies ControlMessage);
      const queued = [...this.queued];
      this.queued.clear();
      for (const [id, message] of queued) this.send(id, message);
      return;
    }
    if (type === 'response') {
      const parsed = responseMessageSchema.safeParse(raw);
      if (!parsed.success) {
        this.log('engine host sent a malformed response; ignored');
        return;
      }
      const r = parsed.data;
      this.pending.settle(r.id, r.ok ? { ok: true, result: r.result } : { ok: false, error: r.error });
      return;
    }
    if (type === 'event') {
      if (parseEvent(raw)) this.options.onEvent(raw as EventMessage);
      else this.log('engine host sent an unknown or malformed event; dropped');
      return;
    }
    this.log(`engine host sent an unknown message type ${JSON.stringify(type)}; ignored`);
  }

  private onExit(proc: HostProcessLike | null, code: number, reason?: string): void {
    if (proc && proc !== this.proc) return;
    const wasReady = this.state === 'ready';
    this.proc = null;
    this.clearTimers();
    for (const resolve of this.exitWaiters.splice(0)) resolve();
    if (this.state === 'stopped') return;
    this.log(`engine host exited (code ${code})${reason ? `: ${reason}` : ''}`);
    if (!wasReady) this.failedStarts += 1;
    const giveUp = this.failedStarts >= (this.options.maxFailedStarts ?? 3);
    if (giveUp) {
      this.state = 'failed';
      this.failure = `the engine process could not start (${this.failedStarts} attempts; last exit code ${code}${reason ? `: ${reason}` : ''})`;
      this.failRequests(this.unavailableError());
      return;
    }
    this.state = 'idle';
    // Requests the dead host had received fail now; queued ones go to the restarted host.
    for (const id of [...this.inFlight]) {
      this.pending.settle(id, {
        ok: false,
        error: {
          code: 'internal',
          message: `the engine process stopped (exit code ${code}) while this request was running; it is being restarted, so try again`,
        },
      });
    }
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      this.start();
    }, this.options.restartDelayMs ?? 1000);
    this.restartTimer.unref?.();
  }

  private failRequests(error: ApiError): void {
    this.queued.clear();
    this.inFlight.clear();
    this.pending.failAll(error);
  }

  private send(id: number, message: unknown): void {
    this.inFlight.add(id);
    this.post(message);
  }

  private unavailableError(): ApiError {
    return {
      code: 'internal',
      message: this.state === 'stopped' ? 'the app is closing' : (this.failure ?? 'the engine is not running'),
    };
  }

  private post(message: unknown): void {
    try {
      this.proc?.postMessage(message);
    } catch (e) {
      // The exit event follows and fails the request; nothing else to do here.
      this.log(`could not send to the engine host: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private clearTimers(): void {
    if (this.readyTimer) clearTimeout(this.readyTimer);
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.readyTimer = null;
    this.restartTimer = null;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }
}
