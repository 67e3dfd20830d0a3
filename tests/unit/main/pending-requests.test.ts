import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PendingRequests } from '../../../electron/main/pending-requests.ts';

describe('pending engine requests', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('gives each request its own id and delivers each answer to its own caller', async () => {
    const p = new PendingRequests();
    const a = p.add(1000, '"a"');
    const b = p.add(1000, '"b"');
    expect(a.id).not.toBe(b.id);
    expect(p.settle(b.id, { ok: true, result: 'B' })).toBe(true);
    expect(p.settle(a.id, { ok: true, result: 'A' })).toBe(true);
    await expect(a.reply).resolves.toEqual({ ok: true, result: 'A' });
    await expect(b.reply).resolves.toEqual({ ok: true, result: 'B' });
    expect(p.size).toBe(0);
  });

  it('times out with an error naming the request, and ignores a late answer', async () => {
    const p = new PendingRequests();
    const a = p.add(5000, '"dataset.preview"');
    vi.advanceTimersByTime(4999);
    expect(p.has(a.id)).toBe(true);
    vi.advanceTimersByTime(1);
    const reply = await a.reply;
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('internal');
      expect(reply.error.message).toContain('"dataset.preview"');
      expect(reply.error.message).toContain('5 s');
    }
    expect(p.settle(a.id, { ok: true, result: 1 })).toBe(false);
  });

  it('fails every open request at once when the host dies', async () => {
    const p = new PendingRequests();
    const replies = [p.add(60_000, 'x').reply, p.add(60_000, 'y').reply];
    expect(p.failAll({ code: 'internal', message: 'engine stopped' })).toBe(2);
    for (const r of await Promise.all(replies))
      expect(r).toEqual({ ok: false, error: { code: 'internal', message: 'engine stopped' } });
    expect(vi.getTimerCount()).toBe(0);
  });
});
