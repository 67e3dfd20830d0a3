import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineStep } from '../../../electron/contracts/api.ts';
import type { PipelineInfo } from '../../../electron/contracts/pipeline.ts';
import { deniedPath } from '../../../electron/engine/host/access-policy.ts';
import { JobRunner } from '../../../electron/engine/project/jobs.ts';
import { PipelineRunner } from '../../../electron/engine/project/pipelines.ts';

const P = '/srv/projects/p';
const steps: PipelineStep[] = [
  {
    kind: 'dataset.import',
    label: 'data',
    params: { project: P, format: 'synthetic', synthetic: { users: 50, items: 20 } },
  },
  { kind: 'llm.useHf', label: 'lm', params: { project: P, dir: '/models/qwen' } },
  { kind: 'align.train', label: 'align I', params: { project: P, method: 'I', steps: 5 } },
  { kind: 'align.eval', label: 'eval I', params: { project: P } },
];

/** A pipeline over a real JobRunner whose jobs are scripted by step kind. */
function setup(script: Partial<Record<PipelineStep['kind'], (signal: AbortSignal) => Promise<unknown>>>) {
  const jobs = new JobRunner({ update: () => {}, metrics: () => {}, token: () => {} }, { flushMs: 5 });
  const started: PipelineStep[] = [];
  const updates: PipelineInfo[] = [];
  const runner = new PipelineRunner({
    jobs,
    emit: (p) => updates.push(p),
    start: async (step) => {
      started.push(step);
      if (step.kind === 'llm.useHf') return null; // answered at once, no job
      const work = script[step.kind] ?? (async () => ({}));
      return jobs.submit(step.kind, step.label, P, async (ctx) => {
        if (step.kind === 'align.train') ctx.setRun('align-I-7');
        return work(ctx.signal);
      }).id;
    },
  });
  const final = () =>
    new Promise<PipelineInfo>((resolve) => {
      const poll = () => {
        const p = runner.list()[0];
        if (p && p.state !== 'running') resolve(p);
        else setTimeout(poll, 5);
      };
      poll();
    });
  return { jobs, runner, started, updates, final };
}

describe('PipelineRunner', () => {
  it('runs the steps in order, each after the previous job ended, and evaluates the run just trained', async () => {
    const order: string[] = [];
    const t = setup({
      'dataset.import': async () => {
        await new Promise((r) => setTimeout(r, 20));
        order.push('import done');
      },
      'align.train': async () => order.push('align done'),
      'align.eval': async () => order.push('eval done'),
    });
    const info = t.runner.start(P, steps);
    expect(info.steps.map((s) => s.state)).toEqual(['pending', 'pending', 'pending', 'pending']);
    const end = await t.final();
    expect(end.state).toBe('done');
    expect(end.steps.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done']);
    expect(end.steps[1].job).toBeNull();
    expect(order).toEqual(['import done', 'align done', 'eval done']);
    expect(t.started.map((s) => s.kind)).toEqual(['dataset.import', 'llm.useHf', 'align.train', 'align.eval']);
    expect(t.started[3].params).toMatchObject({ run: 'align-I-7' });
    // Every change was reported: the first update has all pending, the last is the end.
    expect(t.updates[0].steps.every((s) => s.state === 'pending')).toBe(true);
    expect(t.updates.at(-1)).toEqual(end);
    await t.jobs.close();
  });

  it('stops at the first failure, with the engine error, and leaves the rest undone', async () => {
    const t = setup({
      'align.train': async () => {
        throw new Error('out of memory');
      },
    });
    t.runner.start(P, steps);
    const end = await t.final();
    expect(end.state).toBe('failed');
    expect(end.steps.map((s) => s.state)).toEqual(['done', 'done', 'failed', 'cancelled']);
    expect(end.steps[2].error).toBe('out of memory');
    expect(t.started.map((s) => s.kind)).not.toContain('align.eval');
    await t.jobs.close();
  });

  it('cancel stops the running job and starts nothing after it', async () => {
    const t = setup({
      'dataset.import': (signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
    });
    const info = t.runner.start(P, steps);
    await new Promise((r) => setTimeout(r, 20));
    expect(t.runner.cancel(info.id)).toBe(true);
    const end = await t.final();
    expect(end.state).toBe('cancelled');
    expect(end.steps.map((s) => s.state)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(t.started).toHaveLength(1);
    expect(t.runner.cancel(info.id)).toBe(false);
    await t.jobs.close();
  });

  it('an eval step with nothing trained before it fails clearly', async () => {
    const t = setup({});
    t.runner.start(P, [steps[3]]);
    const end = await t.final();
    expect(end.steps[0]).toMatchObject({ state: 'failed', error: expect.stringMatching(/no alignment run/) });
    await t.jobs.close();
  });
});

describe('access policy for pipelines', () => {
  it("checks every step's paths, naming the step", () => {
    const root = path.resolve('/srv/projects');
    expect(deniedPath('pipeline.start', { project: P, steps }, [root, '/models'])).toBeNull();
    expect(deniedPath('pipeline.start', { project: P, steps }, [root])).toEqual({
      field: 'steps[1].params.dir',
      path: '/models/qwen',
    });
  });
});
