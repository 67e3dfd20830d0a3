/**
 * Keeps one engine host process running for the bridge: forks it (Node child process with an IPC
 * channel, TypeScript through tsx), grants it the root once it says it is ready, queues messages
 * until then, and forks a new one when it exits unexpectedly (with growing delays if it keeps
 * dying at start, so a broken host does not spin the CPU).
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { ControlMessage, GrantMessage, HostOutgoing } from '../engine/host/host-protocol.ts';

export interface HostSupervisorOptions {
  /** The host entry script (host-process.ts, or a fake in tests). */
  entry: string;
  /** The folder granted to the host (the bridge's --root). */
  root: string;
  /** Host → bridge traffic: responses and events (ready messages are handled here). */
  onMessage: (message: HostOutgoing) => void;
  /** The host exited (crash or shutdown); everything sent to it is lost. */
  onExit: (info: { code: number | null; signal: NodeJS.Signals | null; restarting: boolean }) => void;
  log?: (line: string) => void;
}

const RESTART_DELAYS_MS = [0, 250, 1000, 3000, 10_000];
/** A host that ran this long before dying counts as healthy: the next restart is immediate again. */
const HEALTHY_AFTER_MS = 30_000;

export class HostSupervisor {
  private child: ChildProcess | null = null;
  private ready = false;
  private queue: unknown[] = [];
  private stopping = false;
  private failures = 0;
  private startedAt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private readyWaiters: (() => void)[] = [];

  constructor(private readonly options: HostSupervisorOptions) {}

  /** Pid of the running host once it is ready (tests use it to see a restart). */
  get pid(): number | null {
    return this.ready ? (this.child?.pid ?? null) : null;
  }

  start(): void {
    this.stopping = false;
    this.spawn();
  }

  /** Resolves when a host is ready to take requests. */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends now when the host is ready, otherwise when it becomes ready. */
  send(message: unknown): void {
    if (this.ready && this.child?.connected) this.child.send(message as object);
    else this.queue.push(message);
  }

  /** Drops what is waiting to be sent (its senders were told it failed). */
  clearQueue(): unknown[] {
    const q = this.queue;
    this.queue = [];
    return q;
  }

  /** Asks the host to finish and exit; kills it after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    if (child.connected) {
      child.send({ type: 'control', action: 'shutdown' } satisfies ControlMessage);
      // The host exits when its channel closes (after finishing the shutdown); an open channel
      // would keep it alive until the kill below.
      child.disconnect();
    } else child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  private spawn(): void {
    const { entry, root } = this.options;
    const child = fork(entry, ['--mode', 'browser', '--root', root], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
      // Its own process group: a terminal Ctrl-C reaches only the bridge, which then asks the host
      // to checkpoint and exit instead of the host dying mid-write. (Windows would open a console.)
      detached: process.platform !== 'win32',
    });
    this.child = child;
    this.ready = false;
    this.startedAt = Date.now();
    child.on('message', (m: unknown) => this.handle(child, m));
    child.on('error', (e) => this.options.log?.(`engine host error: ${e.message}`));
    child.once('exit', (code, signal) => this.exited(child, code, signal));
  }

  private handle(child: ChildProcess, m: unknown): void {
    if (child !== this.child || typeof m !== 'object' || m === null) return;
    const type = (m as { type?: unknown }).type;
    if (type === 'ready') {
      this.ready = true;
      child.send({ type: 'control', action: 'grant', dir: this.options.root } satisfies GrantMessage);
      for (const q of this.clearQueue()) child.send(q as object);
      for (const w of this.readyWaiters.splice(0)) w();
    } else if (type === 'response' || type === 'event') {
      this.options.onMessage(m as HostOutgoing);
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.ready = false;
    const restarting = !this.stopping;
    this.options.onExit({ code, signal, restarting });
    if (!restarting) return;
    this.failures = Date.now() - this.startedAt > HEALTHY_AFTER_MS ? 0 : this.failures + 1;
    const delay = RESTART_DELAYS_MS[Math.min(this.failures, RESTART_DELAYS_MS.length - 1)]!;
    this.options.log?.(`engine host stopped (${signal ?? `exit code ${code}`}); restarting in ${delay} ms`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.spawn();
    }, delay);
  }
}
