import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { learningRateAt } from '../../../electron/engine/graph/schedule.ts';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';
import { Trainer } from '../../../electron/engine/graph/trainer.ts';
import { buildMlp, mlpBatch, mlpInit } from './helpers/mlp-model.ts';
import { trainMlp } from './helpers/resume-worker.ts';

const worker = path.resolve('tests/unit/graph/helpers/resume-worker.ts');
const runWorker = (...args: string[]) =>
  JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', worker, ...args], { encoding: 'utf8' })) as {
    step: number;
    loss: number;
  }[];

describe('learning-rate schedules', () => {
  it('match hand-computed values', () => {
    expect(learningRateAt({ kind: 'constant', lr: 0.1 }, 50)).toBe(0.1);
    const lin = { kind: 'linear' as const, lr: 1, warmupSteps: 4, totalSteps: 14 };
    expect([0, 1, 3].map((s) => learningRateAt(lin, s))).toEqual([0.25, 0.5, 1]);
    expect(learningRateAt(lin, 9)).toBeCloseTo(0.5, 12);
    expect(learningRateAt(lin, 14)).toBe(0);
    const cos = { kind: 'cosine' as const, lr: 2, totalSteps: 10, minRatio: 0.1 };
    expect(learningRateAt(cos, 0)).toBe(2);
    expect(learningRateAt(cos, 5)).toBeCloseTo(2 * (0.1 + 0.9 * 0.5), 12);
    expect(learningRateAt(cos, 10)).toBeCloseTo(0.2, 12);
  });
});

describe('Trainer', () => {
  it('resumes exactly: 20 steps with a fresh process taking over at step 10 give identical losses', () => {
    const full = runWorker(mkdtempSync(path.join(tmpdir(), 'recx-full-')), '20');
    const dir = mkdtempSync(path.join(tmpdir(), 'recx-resume-'));
    const first = runWorker(dir, '20', '10');
    expect(first.map((l) => l.step)).toEqual([...Array(10).keys()].map((k) => k + 1));
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).step).toBe(10);
    const second = runWorker(dir, '20');
    expect(second.map((l) => l.step)).toEqual([...Array(10).keys()].map((k) => k + 11));
    expect([...first, ...second].map((l) => l.loss)).toEqual(full.map((l) => l.loss));
    expect(full[19].loss).toBeLessThan(full[0].loss);
  });

  it('refuses to resume a checkpoint made with another configuration', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'recx-cfg-'));
    await trainMlp(dir, 6);
    const ts = await TrainStep.create(
      buildMlp,
      { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1 },
      mlpInit(),
    );
    const trainer = new Trainer(ts, {
      totalSteps: 6,
      schedule: { kind: 'constant', lr: 0.01 },
      groups: ['decay', 'no_decay'],
      batches: (s) => [mlpBatch(s)],
      seed: 7,
      checkpointDir: dir,
      config: { model: 'mlp', total: 999 },
    });
    await expect(trainer.resume()).rejects.toThrow(/another configuration/);
  });

  it('reports loss, lr, grad norm, throughput, memory and ETA on every step', async () => {
    const ts = await TrainStep.create(
      buildMlp,
      { optimizer: { kind: 'sgd', momentum: 0.9 }, maxGradNorm: 0, accumulation: 2 },
      mlpInit(),
    );
    const trainer = new Trainer(ts, {
      totalSteps: 4,
      schedule: { kind: 'linear', lr: 0.1, warmupSteps: 2, totalSteps: 4 },
      groups: ['decay', 'no_decay'],
      batches: (s) => [mlpBatch(2 * s), mlpBatch(2 * s + 1)],
      seed: 1,
      examplesPerStep: 16,
    });
    const events: { step: number; lr: number; etaSec: number; throughput: number; rssMb: number; gradNorm: number }[] =
      [];
    trainer.on('step', (e) => events.push(e));
    const r = await trainer.run();
    expect(r).toMatchObject({ step: 4, completed: true, stoppedEarly: false });
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4]);
    expect(events.map((e) => e.lr)).toEqual([0.05, 0.1, 0.1, 0.05]);
    expect(events[3].etaSec).toBe(0);
    for (const e of events) {
      expect(e.throughput).toBeGreaterThan(0);
      expect(e.rssMb).toBeGreaterThan(10);
      expect(e.gradNorm).toBeGreaterThan(0);
    }
  });
});
