/** Gradient rules of MatMul, the reductions and (log-)softmax against finite differences. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { evalGraph, expectGradient, f64 } from './gradcheck.ts';

describe('MatMul', () => {
  const CASES: [string, number[], number[]][] = [
    ['[M,K]@[K,N]', [2, 3], [3, 4]],
    ['batched [B,M,K]@[B,K,N]', [2, 2, 3], [2, 3, 4]],
    ['linear [B,T,C]@[C,D]', [2, 3, 4], [4, 2]],
    ['[B,H,T,D]@[B,H,D,S]', [2, 2, 3, 2], [2, 2, 2, 3]],
    ['[1,H,T,D]@[B,H,D,S]', [1, 2, 3, 2], [2, 2, 2, 3]],
    ['[B,H,T,D]@[1,H,D,S]', [2, 2, 3, 2], [1, 2, 2, 3]],
    ['[M,K]@[B,K,N]', [2, 3], [2, 3, 2]],
    ['[B,1,M,K]@[H,K,N]', [2, 1, 2, 3], [2, 3, 2]],
  ];
  for (const [label, da, db] of CASES) {
    it(label, async () => {
      await expectGradient(
        `MatMul ${label}`,
        [
          { name: 'a', dims: da },
          { name: 'b', dims: db },
        ],
        op.matmul,
      );
    });
  }
  it('x@xᵀ uses one value on both sides', async () => {
    await expectGradient('MatMul x@xT', [{ name: 'x', dims: [3, 4] }], (x) => op.matmul(x, op.transposeLast2(x)));
  });
});

describe('reductions', () => {
  const AXES: [number[], boolean][] = [
    [[-1], false],
    [[-1], true],
    [[0], false],
    [[1], true],
    [[0, 2], false],
    [[-3, -1], true],
    [[0, 1, 2], false],
  ];
  for (const [axes, keep] of AXES) {
    it(`ReduceSum / ReduceMean / ReduceMax over [${axes}] keepdims=${keep}`, async () => {
      const x = [{ name: 'x', dims: [2, 3, 4] }];
      await expectGradient(`ReduceSum ${axes} ${keep}`, x, (v) => op.reduceSum(v, axes, keep));
      await expectGradient(`ReduceMean ${axes} ${keep}`, x, (v) => op.reduceMean(v, axes, keep));
      await expectGradient(`ReduceMax ${axes} ${keep}`, x, (v) => op.reduceMax(v, axes, keep));
    });
  }
});

describe('ReduceMax with tied maxima', () => {
  it('splits the gradient evenly between ties', async () => {
    const out = await evalGraph(
      (g) => {
        const x = g.input('x', 'float64', [2, 3]);
        const [dx] = grad(op.reduceSum(op.reduceMax(x, [1]), [0]), [x]);
        return { dx: dx! };
      },
      { x: f64([2, 3], [1, 3, 3, 2, 2, 2]) },
    );
    expect(Array.from(out.dx.data as Float64Array)).toEqual([0, 0.5, 0.5, 1 / 3, 1 / 3, 1 / 3]);
  });
  it("the max of a value and itself has that value's gradient", async () => {
    await expectGradient('ReduceMax self-tie', [{ name: 'x', dims: [2, 3] }], (x) =>
      op.reduceMax(op.concat([op.unsqueeze(x, [0]), op.unsqueeze(x, [0])], 0), [0]),
    );
  });
});

describe('softmax and log-softmax', () => {
  for (const axis of [-1, 1, 0]) {
    it(`axis ${axis}`, async () => {
      const x = [{ name: 'x', dims: [2, 3, 4] }];
      await expectGradient(`Softmax ${axis}`, x, (v) => op.softmax(v, axis));
      await expectGradient(`LogSoftmax ${axis}`, x, (v) => op.logSoftmax(v, axis));
    });
  }
  it('float32', async () => {
    const x = [{ name: 'x', dims: [3, 5] }];
    await expectGradient('Softmax f32', x, (v) => op.softmax(v), { dtype: 'float32' });
    await expectGradient('LogSoftmax f32', x, (v) => op.logSoftmax(v), { dtype: 'float32' });
  });
});
