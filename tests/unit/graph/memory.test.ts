import { describe, expect, it } from 'vitest';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';
import { buildMlp, mlpBatch, mlpInit } from './helpers/mlp-model.ts';

describe('train-step memory', () => {
  it('stays flat across thousands of steps (outputs replace inputs, nothing accumulates)', async () => {
    const ts = await TrainStep.create(
      buildMlp,
      { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { threads: 1 } },
      mlpInit(),
    );
    const batch = { ...mlpBatch(0), dropout_seed: { dtype: 'float32' as const, dims: [], data: Float32Array.of(3) } };
    const rssAt: number[] = [];
    for (let s = 0; s < 3000; s++) {
      await ts.step([batch], s, { decay: 1e-3, no_decay: 1e-3 });
      if (s === 500 || s === 2999) {
        globalThis.gc?.();
        rssAt.push(process.memoryUsage.rss());
      }
    }
    await ts.release();
    expect((rssAt[1] - rssAt[0]) / 2 ** 20).toBeLessThan(40);
  });
});
