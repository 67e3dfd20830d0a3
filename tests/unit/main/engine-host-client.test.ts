import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { EventMessage } from '../../../electron/contracts/messages.ts';
import { EngineHostClient, type HostProcessLike } from '../../../electron/main/engine-host-client.ts';

class FakeHost extends EventEmitter implements HostProcessLike {
  sent: unknown[] = [];
  killed = false;
  postMessage(message: unknown): void {
    this.sent.push(message);
  }
  kill(): boolean {
    this.killed = true;
    return true;
  }
  ready() {
    this.emit('message', { type: 'ready', pid: 1 });
  }
  requests() {
    return this.sent.filter((m) => (m as { type: string }).type === 'request') as {
      id: number;
      method: string;
      params: unknown;
    }[];
  }
  respond(id: number, result: unknown) {
    this.emit('message', { type: 'response', id, ok: true, result });
  }
}

function setup(opts: { maxFailedStarts?: number } = {}) {
  const spawned: FakeHost[] = [];
  const events: EventMessage[] = [];
  const client = new EngineHostClient({
    spawn: () => {
      const h = new FakeHost();
      spawned.push(h);
      return h;
    },
    onEvent: (m) => events.push(m),
    requestTimeoutMs: 30_000,
    readyTimeoutMs: 10_000,
    restartDelayMs: 500,
    maxFailedStarts: opts.maxFailedStarts ?? 3,
  });
  return { client, spawned, events, last: () => spawned[spawned.length - 1] };
}

const jobUpdate = {
  id: 'j1',
  kind: 'align.train',
  label: 'Align I',
  project: '/p',
  state: 'running',
  progress: null,
  run: null,
  error: null,
  createdAt: '2025-01-01T00:00:00Z',
  endedAt: null,
};

describe('engine host client', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds requests until the host is ready, sending grants first', async () => {
    const { client, last } = setup();
    client.start();
    client.grant('/home/u/proj');
    const reply = client.request('runs.list', { project: '/home/u/proj' });
    expect(last().sent).toEqual([]);
    last().ready();
    expect(last().sent[0]).toEqual({ type: 'control', action: 'grant', dir: '/home/u/proj' });
    const [req] = last().requests();
    expect(req).toMatchObject({ method: 'runs.list', params: { project: '/home/u/proj' } });
    last().respond(req.id, []);
    await expect(reply).resolves.toEqual({ ok: true, result: [] });
  });

  it('matches answers to requests by id, in any order, and drops malformed answers', async () => {
    const { client, last } = setup();
    client.start();
    last().ready();
    const a = client.request('jobs.list', {});
    const b = client.request('app.info', {});
    const [ra, rb] = last().requests();
    last().emit('message', { type: 'response', id: rb.id, ok: 'yes' });
    last().respond(rb.id, { version: '1' });
    last().emit('message', { type: 'response', id: ra.id, ok: false, error: { code: 'input', message: 'bad' } });
    await expect(b).resolves.toEqual({ ok: true, result: { version: '1' } });
    await expect(a).resolves.toEqual({ ok: false, error: { code: 'input', message: 'bad' } });
  });

  it('passes on valid events only', () => {
    const { client, last, events } = setup();
    client.start();
    last().ready();
    last().emit('message', { type: 'event', event: 'job.update', data: jobUpdate });
    last().emit('message', { type: 'event', event: 'job.update', data: { id: 'j1' } });
    last().emit('message', { type: 'event', event: 'shell.exec', data: {} });
    expect(events).toEqual([{ type: 'event', event: 'job.update', data: jobUpdate }]);
  });

  it('answers in-flight requests with an error when the host crashes, restarts it and replays grants', async () => {
    const { client, spawned, last } = setup();
    client.start();
    client.grant('/data/a');
    last().ready();
    const reply = client.request('dataset.inspect', { project: '/data/a' });
    last().emit('exit', 134);
    const r = await reply;
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('internal');
      expect(r.error.message).toMatch(/stopped.*134.*restart/);
    }
    expect(spawned).toHaveLength(1);
    vi.advanceTimersByTime(500);
    expect(spawned).toHaveLength(2);
    last().ready();
    expect(last().sent).toEqual([{ type: 'control', action: 'grant', dir: '/data/a' }]);
    expect(client.grantedRoots).toEqual(['/data/a']);
    const again = client.request('jobs.list', {});
    last().respond(last().requests()[0].id, []);
    await expect(again).resolves.toEqual({ ok: true, result: [] });
  });

  it('keeps requests that had not reached a crashed host and sends them to the restarted one', async () => {
    const { client, spawned, last } = setup();
    client.start();
    const reply = client.request('app.info', {});
    last().emit('exit', 1);
    vi.advanceTimersByTime(500);
    expect(spawned).toHaveLength(2);
    last().ready();
    const [req] = last().requests();
    expect(req.method).toBe('app.info');
    last().respond(req.id, { version: '0.1.0', mode: 'electron', projectsRoot: null });
    await expect(reply).resolves.toMatchObject({ ok: true });
  });

  it('times out a request the host never answers', async () => {
    const { client, last } = setup();
    client.start();
    last().ready();
    const reply = client.request('explorer.user', { project: '/p', user: 1, k: 10 });
    vi.advanceTimersByTime(30_000);
    const r = await reply;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/did not answer "explorer.user"/);
  });

  it('kills a host that never becomes ready and gives up after repeated failed starts', async () => {
    const { client, spawned, last } = setup({ maxFailedStarts: 2 });
    client.start();
    const waiting = client.request('jobs.list', {});
    vi.advanceTimersByTime(10_000);
    expect(last().killed).toBe(true);
    last().emit('exit', 1);
    vi.advanceTimersByTime(500);
    expect(spawned).toHaveLength(2);
    last().emit('exit', 1);
    const r = await waiting;
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/could not start/);
    vi.advanceTimersByTime(5000);
    expect(spawned).toHaveLength(2);
    const later = await client.request('jobs.list', {});
    expect(later.ok).toBe(false);
  });

  it('shuts down: asks the host to exit, fails pending requests, kills it after the grace period, never restarts', async () => {
    const { client, spawned, last } = setup();
    client.start();
    last().ready();
    const reply = client.request('jobs.list', {});
    const done = client.shutdown(2000);
    expect(last().sent.at(-1)).toEqual({ type: 'control', action: 'shutdown' });
    expect((await reply).ok).toBe(false);
    vi.advanceTimersByTime(2000);
    expect(last().killed).toBe(true);
    last().emit('exit', 0);
    await done;
    vi.advanceTimersByTime(10_000);
    expect(spawned).toHaveLength(1);
    expect((await client.request('jobs.list', {})).ok).toBe(false);
  });
});
