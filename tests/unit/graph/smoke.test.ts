import { expect, it } from 'vitest';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { gradCheck } from './gradcheck.ts';

it('tanh matmul', async () => {
  const r = await gradCheck(
    [
      { name: 'x', dims: [2, 3] },
      { name: 'w', dims: [3, 4] },
    ],
    (x, w) => op.tanh(op.matmul(x, w)),
  );
  console.log(r.maxRelError, r.worst);
  expect(r.maxRelError).toBeLessThan(1e-6);
});

import { Graph } from '../../../electron/engine/graph/graph.ts';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';

it('mlp trains', async () => {
  const build = () => {
    const g = new Graph('mlp');
    const x = g.input('x', 'float32', ['B', 4]);
    const y = g.input('y', 'int64', ['B']);
    const w1 = g.input('w1', 'float32', [4, 8]);
    const w2 = g.input('w2', 'float32', [8, 3]);
    const h = op.relu(op.matmul(x, w1));
    const loss = op.softmaxCrossEntropy(op.matmul(h, w2), y);
    return {
      graph: g,
      loss,
      params: [
        { value: w1, group: { name: 'default', weightDecay: 0.01 } },
        { value: w2, group: { name: 'default', weightDecay: 0.01 } },
      ],
    };
  };
  const init = new Map([
    [
      'w1',
      { dtype: 'float32' as const, dims: [4, 8], data: Float32Array.from({ length: 32 }, (_, k) => Math.sin(k) * 0.5) },
    ],
    [
      'w2',
      { dtype: 'float32' as const, dims: [8, 3], data: Float32Array.from({ length: 24 }, (_, k) => Math.cos(k) * 0.5) },
    ],
  ]);
  const curves: number[][] = [];
  for (const accumulation of [1, 2]) {
    const ts = await TrainStep.create(build, { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation }, init);
    const batch = {
      x: {
        dtype: 'float32' as const,
        dims: [6, 4],
        data: Float32Array.from({ length: 24 }, (_, k) => Math.sin(k * 3)),
      },
      y: { dtype: 'int64' as const, dims: [6], data: BigInt64Array.from([0n, 1n, 2n, 0n, 1n, 2n]) },
    };
    const losses = [];
    for (let s = 0; s < 30; s++)
      losses.push((await ts.step(Array(accumulation).fill(batch), s, { default: 0.05 })).loss);
    expect(losses[29]).toBeLessThan(losses[0] * 0.8);
    curves.push(losses);
  }
  // Two identical micro-batches average to the same gradient as one.
  for (const [k, l] of curves[1].entries()) expect(l).toBeCloseTo(curves[0][k], 5);
});
