import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../../electron/main/ipc-channels.ts';
import { createRecxApi, type IpcRendererLike } from '../../../electron/preload/recx-api.ts';

class FakeIpcRenderer implements IpcRendererLike {
  handlers = new Map<string, ((event: unknown, ...args: unknown[]) => void)[]>();
  invoked: { channel: string; args: unknown[] }[] = [];
  answer: (message: { id: number }) => unknown = (m) => ({ type: 'response', id: m.id, ok: true, result: null });
  async invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(args[0] as { id: number });
  }
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void) {
    this.handlers.set(channel, [...(this.handlers.get(channel) ?? []), listener]);
    return this;
  }
  push(message: unknown) {
    for (const h of this.handlers.get(EVENT_CHANNEL) ?? []) h({ sender: 'ipc' }, message);
  }
}

const tokenEvent = {
  type: 'event',
  event: 'job.token',
  data: { job: 'j', model: 'run-1', text: 'Because', done: false },
};

describe('window.recx over IPC', () => {
  it('invoke sends one request message on the invoke channel and resolves with the result', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = (m) => ({ type: 'response', id: m.id, ok: true, result: { job: 'j7' } });
    const api = createRecxApi(ipc);
    await expect(api.invoke('recommender.train', { project: '/p', preset: 'mf-bpr' })).resolves.toEqual({ job: 'j7' });
    expect(ipc.invoked).toHaveLength(1);
    expect(ipc.invoked[0].channel).toBe(INVOKE_CHANNEL);
    expect(ipc.invoked[0].args).toEqual([
      {
        type: 'request',
        id: expect.any(Number),
        method: 'recommender.train',
        params: { project: '/p', preset: 'mf-bpr' },
      },
    ]);
  });

  it('gives concurrent requests distinct ids', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createRecxApi(ipc);
    await Promise.all([api.invoke('jobs.list', {}), api.invoke('jobs.list', {}), api.invoke('app.info', {})]);
    const ids = ipc.invoked.map((c) => (c.args[0] as { id: number }).id);
    expect(new Set(ids).size).toBe(3);
  });

  it('rejects with the engine error, keeping code and field across the context bridge copy', async () => {
    const ipc = new FakeIpcRenderer();
    ipc.answer = (m) => ({
      type: 'response',
      id: m.id,
      ok: false,
      error: { code: 'input', message: 'userCol: column "uid" not found', field: 'csv.userCol' },
    });
    const api = createRecxApi(ipc);
    const err = await api.invoke('jobs.list', {}).catch((e: unknown) => e);
    // contextBridge copies rejection values like structuredClone: an Error would lose code and field.
    const seen = structuredClone(err) as Record<string, unknown>;
    expect(seen).toMatchObject({
      name: 'RecxApiError',
      message: 'userCol: column "uid" not found',
      code: 'input',
      field: 'csv.userCol',
      error: { code: 'input', field: 'csv.userCol' },
    });
  });

  it('rejects a malformed or mismatched response instead of returning garbage', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createRecxApi(ipc);
    ipc.answer = () => ({ whatever: true });
    await expect(api.invoke('jobs.list', {})).rejects.toMatchObject({ code: 'internal' });
    ipc.answer = (m) => ({ type: 'response', id: m.id + 100, ok: true, result: [] });
    await expect(api.invoke('jobs.list', {})).rejects.toMatchObject({ code: 'internal' });
  });

  it('on delivers valid events to their listeners until unsubscribed', () => {
    const ipc = new FakeIpcRenderer();
    const api = createRecxApi(ipc);
    const tokens = vi.fn();
    const updates = vi.fn();
    const off = api.on('job.token', tokens);
    api.on('job.update', updates);
    ipc.push(tokenEvent);
    expect(tokens).toHaveBeenCalledWith(tokenEvent.data);
    expect(updates).not.toHaveBeenCalled();
    off();
    off();
    ipc.push(tokenEvent);
    expect(tokens).toHaveBeenCalledTimes(1);
  });

  it('drops malformed and unknown events before any listener sees them', () => {
    const ipc = new FakeIpcRenderer();
    const api = createRecxApi(ipc);
    const tokens = vi.fn();
    api.on('job.token', tokens);
    ipc.push({ type: 'event', event: 'job.token', data: { job: 'j', text: 1 } });
    ipc.push({ type: 'event', event: 'shell.run', data: {} });
    ipc.push('junk');
    expect(tokens).not.toHaveBeenCalled();
  });

  it('a throwing listener does not stop the others', () => {
    const ipc = new FakeIpcRenderer();
    const api = createRecxApi(ipc);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const second = vi.fn();
    api.on('job.token', () => {
      throw new Error('panel bug');
    });
    api.on('job.token', second);
    ipc.push(tokenEvent);
    expect(second).toHaveBeenCalledTimes(1);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
  });

  it('refuses to subscribe to an event that does not exist', () => {
    const api = createRecxApi(new FakeIpcRenderer());
    expect(() => api.on('job.nope' as 'job.token', () => {})).toThrow(/unknown event/);
  });
});
