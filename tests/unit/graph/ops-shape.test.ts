/** Gradient rules of the shape and indexing ops (ops/shape.ts) against finite differences. */
import { afterEach, describe, expect, it } from 'vitest';
import { Graph } from '../../../electron/engine/graph/graph.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { expectGradient, type GradInput } from './gradcheck.ts';

const X: GradInput[] = [{ name: 'x', dims: [2, 3, 4] }];

describe('reshape, transpose, (un)squeeze, expand', () => {
  it('Reshape static and with -1', async () => {
    await expectGradient('Reshape static', X, (x) => op.reshape(x, [6, 4]));
    await expectGradient('Reshape -1', X, (x) => op.reshape(x, [2, -1, 2]));
  });
  it('Transpose', async () => {
    await expectGradient('Transpose 201', X, (x) => op.transpose(x, [2, 0, 1]));
    await expectGradient('Transpose 120', X, (x) => op.transpose(x, [1, 2, 0]));
  });
  it('Unsqueeze and Squeeze', async () => {
    await expectGradient('Unsqueeze', X, (x) => op.unsqueeze(x, [0, -1]));
    await expectGradient('Squeeze', [{ name: 'x', dims: [2, 1, 4, 1] }], (x) => op.squeeze(x, [1, -1]));
  });
  it('Expand', async () => {
    await expectGradient('Expand [2,1,4]', [{ name: 'x', dims: [2, 1, 4] }], (x) => op.expand(x, [2, 3, 4]));
    await expectGradient('Expand [4]', [{ name: 'x', dims: [4] }], (x) => op.expand(x, [2, 3, 4]));
    await expectGradient('Expand [3,1]', [{ name: 'x', dims: [3, 1] }], (x) => op.expand(x, [2, 3, 4]));
  });
});

describe('concat, slice, split', () => {
  it('Concat of two inputs and of one value twice', async () => {
    await expectGradient('Concat axis 1', [X[0], { name: 'y', dims: [2, 2, 4] }], (x, y) => op.concat([x, y], 1));
    await expectGradient('Concat axis -1', [X[0], { name: 'y', dims: [2, 3, 1] }], (x, y) => op.concat([x, y], -1));
    await expectGradient('Concat x,x', X, (x) => op.concat([x, x], 0));
  });
  it('Slice, including negative starts and ends and clamped ends', async () => {
    await expectGradient('Slice', X, (x) => op.slice(x, [1], [3], [2]));
    await expectGradient('Slice neg', X, (x) => op.slice(x, [-2, 0], [-1, 2], [1, -1]));
    await expectGradient('Slice clamp', X, (x) => op.slice(x, [-3], [100], [-1]));
  });
  it('Split with every output used', async () => {
    await expectGradient('Split all', X, (x) => {
      const [a, b] = op.split(x, -1, [1, 3]);
      return op.concat([op.mul(b, 2), op.exp(a)], -1);
    });
  });
  it('Split with only some outputs used', async () => {
    await expectGradient('Split middle', X, (x) => op.split(x, 1, [1, 1, 1])[1]);
    await expectGradient('Split last', X, (x) => op.exp(op.split(x, 2, [2, 1, 1])[2]));
  });
});

describe('Gather as an embedding lookup', () => {
  const saved = op.gatherGradient.mode;
  afterEach(() => {
    op.gatherGradient.mode = saved;
  });
  // Row 1 repeats (its gradient accumulates), row 4 is never looked up (zero gradient).
  const ids: GradInput = {
    name: 'ids',
    dims: [2, 3],
    dtype: 'int64',
    data: BigInt64Array.of(1n, 3n, 1n, 0n, 2n, 1n),
    differentiable: false,
  };
  for (const mode of ['scatter', 'onehot'] as const) {
    it(`gradient mode ${mode}`, async () => {
      op.gatherGradient.mode = mode;
      const table = { name: 'table', dims: [5, 4] };
      const r = await expectGradient(`Gather ${mode}`, [table, ids], (t, i) => op.gather(t, i));
      expect(Array.from(r.analytic.table.slice(16, 20))).toEqual([0, 0, 0, 0]);
      await expectGradient(`Gather ${mode} vector ids`, [table, { ...ids, dims: [6] }], (t, i) => op.gather(t, i));
      await expectGradient(`Gather ${mode} 3-D table`, [{ name: 'table', dims: [5, 2, 2] }, ids], (t, i) =>
        op.gather(t, i),
      );
      await expectGradient(`Gather ${mode} f32`, [table, ids], (t, i) => op.gather(t, i), { dtype: 'float32' });
    });
  }
});

describe('expand with symbolic dims', () => {
  it('keeps a symbolic dim x already has and refuses to grow a 1 to one', () => {
    const g = new Graph('expand-symbolic');
    const x = g.input('x', 'float32', ['B', 1, 4]);
    expect(op.expand(x, ['B', 3, 4]).shape).toEqual(['B', 3, 4]);
    expect(() => op.expand(x, ['B', 'T', 4])).toThrow(/cannot grow/);
    expect(() => op.expand(x, ['N', 'B', 3, 4])).toThrow(/cannot grow/);
  });
});
