import { describe, expect, it } from 'vitest';
import type { MetricsLine } from '../../../electron/contracts/events.ts';
import type { JobInfo } from '../../../electron/contracts/jobs.ts';
import { InputError } from '../../../electron/engine/errors.ts';
import { type JobContext, JobRunner, toApiError } from '../../../electron/engine/project/jobs.ts';

function recorder() {
  const updates: JobInfo[] = [];
  const metrics: { job: string; lines: MetricsLine[] }[] = [];
  const tokens: { job: string; text: string }[] = [];
  const runner = new JobRunner(
    {
      update: (i) => updates.push(i),
      metrics: (m) => metrics.push(m),
      token: (t) => tokens.push(t),
    },
    { flushMs: 10 },
  );
  const states = (id: string) => updates.filter((u) => u.id === id).map((u) => u.state);
  return { runner, updates, metrics, tokens, states };
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('JobRunner', () => {
  it('runs heavy jobs one at a time, in order, and reports queued → running → done with the result', async () => {
    const { runner, states } = recorder();
    const order: string[] = [];
    const gate = deferred();
    const a = runner.submit('align.train', 'A', '/p', async () => {
      order.push('a-start');
      await gate.promise;
      order.push('a-end');
      return { run: 'r1' };
    });
    const b = runner.submit('recommender.train', 'B', '/p', async () => {
      order.push('b-start');
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.get(b.id)!.state).toBe('queued');
    gate.resolve();
    await runner.idle();
    expect(order).toEqual(['a-start', 'a-end', 'b-start']);
    expect(states(a.id)).toEqual(['queued', 'running', 'done']);
    expect(runner.get(a.id)!.result).toEqual({ run: 'r1' });
    expect(runner.get(a.id)!.endedAt).not.toBeNull();
    await runner.close();
  });

  it('runs an explanation while a heavy job is running', async () => {
    const { runner } = recorder();
    const gate = deferred();
    runner.submit('align.train', 'A', '/p', () => gate.promise);
    const e = runner.submit('explain', 'E', '/p', async (ctx) => ctx.token('run-1', 'Because', true));
    await new Promise((r) => setTimeout(r, 30));
    expect(runner.get(e.id)!.state).toBe('done');
    gate.resolve();
    await runner.close();
  });

  it('cancels a queued job at once and a running one through its signal', async () => {
    const { runner, states } = recorder();
    const running = runner.submit('align.train', 'A', '/p', (ctx: JobContext) => {
      return new Promise((_, reject) => {
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason));
      });
    });
    const queued = runner.submit('align.train', 'B', '/p', async () => 'never');
    await new Promise((r) => setTimeout(r, 10));
    expect(runner.cancel(queued.id)).toBe(true);
    expect(runner.get(queued.id)!.state).toBe('cancelled');
    expect(runner.cancel(running.id)).toBe(true);
    await runner.idle();
    expect(states(running.id).at(-1)).toBe('cancelled');
    expect(runner.get(running.id)!.error).toMatchObject({ code: 'cancelled' });
    expect(runner.cancel(running.id)).toBe(false); // already over
    expect(runner.cancel('no-such-job')).toBe(false);
    await runner.close();
  });

  it('a job that stops early on its signal and returns is reported cancelled, not done', async () => {
    const { runner } = recorder();
    const j = runner.submit('align.train', 'A', '/p', async (ctx) => {
      while (!ctx.signal.aborted) await new Promise((r) => setTimeout(r, 5));
      return { completed: false };
    });
    await new Promise((r) => setTimeout(r, 10));
    runner.cancel(j.id);
    await runner.idle();
    expect(runner.get(j.id)!.state).toBe('cancelled');
    // Work that finished anyway (it never looked at the signal) is done: its output exists.
    const k = runner.submit('dataset.import', 'I', '/p', async () => {
      await new Promise((r) => setTimeout(r, 20));
      return { counts: {} };
    });
    await new Promise((r) => setTimeout(r, 5));
    runner.cancel(k.id);
    await runner.idle();
    expect(runner.get(k.id)!.state).toBe('done');
    await runner.close();
  });

  it('reports a failure with the engine error in plain words and the field it concerns', async () => {
    const { runner } = recorder();
    const j = runner.submit('dataset.import', 'I', '/p', async () => {
      throw Object.assign(new InputError('--input is required for format csv'), { field: 'input' });
    });
    await runner.idle();
    expect(runner.get(j.id)).toMatchObject({
      state: 'failed',
      error: { code: 'input', message: '--input is required for format csv', field: 'input' },
    });
    expect(toApiError(new TypeError('x is undefined'))).toEqual({ code: 'internal', message: 'x is undefined' });
    await runner.close();
  });

  it('delivers every metrics line, batched, with the run id, and the last progress before the end', async () => {
    const { runner, metrics, updates } = recorder();
    const j = runner.submit('align.train', 'A', '/p', async (ctx) => {
      ctx.setRun('align-I-1');
      for (let s = 1; s <= 50; s++) {
        ctx.metrics({ step: s, loss: 1 / s });
        ctx.progress('aligning', s, 50, 50 - s);
      }
    });
    await runner.idle();
    const lines = metrics.filter((m) => m.job === j.id).flatMap((m) => m.lines);
    expect(lines.map((l) => l.step)).toEqual(Array.from({ length: 50 }, (_, k) => k + 1));
    expect(metrics.every((m) => (m as { run?: string }).run === 'align-I-1')).toBe(true);
    const mine = updates.filter((u) => u.id === j.id);
    // Throttled: far fewer updates than progress calls, but the final progress is reported.
    expect(mine.length).toBeLessThan(10);
    expect(mine.at(-1)!.progress).toEqual({ stage: 'aligning', done: 50, total: 50, etaSec: 0 });
    expect(mine.at(-1)!.run).toBe('align-I-1');
    await runner.close();
  });
});
