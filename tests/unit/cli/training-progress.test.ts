import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { attachTrainingProgress } from '../../../electron/cli/training-progress.ts';
import type { StepEvent, TrainerEvents } from '../../../electron/engine/graph/trainer.ts';

const step = (k: number, total: number): StepEvent => ({
  step: k,
  totalSteps: total,
  loss: 2 / k,
  lr: 1e-3,
  gradNorm: 0.5,
  throughput: 1234.4,
  throughputUnit: 'tokens/s',
  rssMb: 321.2,
  elapsedSec: k,
  etaSec: total - k,
});

describe('training progress on a non-terminal', () => {
  it('prints about twenty lines with loss, lr, throughput, memory and ETA, plus evaluations', () => {
    const out: string[] = [];
    const stream = { isTTY: false, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
    const em = new EventEmitter<TrainerEvents>();
    attachTrainingProgress(em, 'sasrec', stream);
    for (let k = 1; k <= 100; k++) em.emit('step', step(k, 100));
    em.emit('eval', { step: 100, metrics: { 'NDCG@10': 0.4321 } });
    expect(out.length).toBe(21);
    expect(out[0]).toBe('sasrec 5/100 | loss 0.4000 | lr 0.0010 | grad 0.5000 | 1234 tok/s | 321 MB | ETA 95s\n');
    expect(out[19]).toMatch(/^sasrec 100\/100 .* ETA 0s\n$/);
    expect(out[20]).toBe('sasrec eval at 100: NDCG@10 0.4321\n');
  });
});
