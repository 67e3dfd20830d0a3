/** Gradient rules of the norms, attention and RoPE (fused backward composites) against finite differences. */
import { describe, expect, it } from 'vitest';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { evalGraph, expectGradient, f64, type GradInput, i64 } from './gradcheck.ts';

describe('norms', () => {
  const x: GradInput = { name: 'x', dims: [2, 3, 4] };
  const w: GradInput = { name: 'w', dims: [4] };
  const b: GradInput = { name: 'b', dims: [4] };
  it('LayerNorm with weight and bias', async () => {
    await expectGradient('LayerNorm', [x, w, b], (xv, wv, bv) => op.layerNorm(xv, wv, bv));
  });
  it('LayerNorm without bias, and in float32', async () => {
    await expectGradient('LayerNorm no bias', [x, w], (xv, wv) => op.layerNorm(xv, wv, null));
    await expectGradient('LayerNorm f32', [x, w, b], (xv, wv, bv) => op.layerNorm(xv, wv, bv), { dtype: 'float32' });
  });
  it('RMSNorm', async () => {
    await expectGradient('RMSNorm', [x, w], (xv, wv) => op.rmsNorm(xv, wv));
    await expectGradient('RMSNorm f32', [x, w], (xv, wv) => op.rmsNorm(xv, wv), { dtype: 'float32' });
  });
});

describe('attention', () => {
  // q [B=2, H=2, T=3, D=2], k/v [B, H, S, D]
  const q = (t = 3): GradInput => ({ name: 'q', dims: [2, 2, t, 2] });
  const kv = (s: number): GradInput[] => [
    { name: 'k', dims: [2, 2, s, 2] },
    { name: 'v', dims: [2, 2, s, 2] },
  ];
  const scale = 1 / Math.sqrt(2);
  it('without a mask (S ≠ T)', async () => {
    await expectGradient('attention no mask', [q(), ...kv(4)], (qv, kv_, vv) => op.attention(qv, kv_, vv, null, scale));
  });
  it('with a causal mask', async () => {
    await expectGradient('attention causal', [q(), ...kv(3)], (qv, kv_, vv) =>
      op.attention(qv, kv_, vv, op.causalMask(qv, 2), scale),
    );
  });
  it('with a padding mask from ids, alone and with the causal mask', async () => {
    // Pad id 0: the second sequence has two padded keys, no query row is fully masked.
    const ids: GradInput = {
      name: 'ids',
      dims: [2, 4],
      dtype: 'int64',
      data: BigInt64Array.of(5n, 3n, 7n, 2n, 4n, 6n, 0n, 0n),
      differentiable: false,
    };
    const r = await expectGradient('attention padding', [q(), ...kv(4), ids], (qv, kv_, vv, iv) =>
      op.attention(qv, kv_, vv, op.paddingMask(iv, 0, 'float64'), scale),
    );
    // Padded keys get exactly zero gradient (their probabilities are 0).
    const dk = r.analytic.k;
    for (let h = 0; h < 2; h++)
      for (let s = 2; s < 4; s++)
        for (let d = 0; d < 2; d++) {
          expect(dk[((1 * 2 + h) * 4 + s) * 2 + d]).toBe(0);
        }
    const idsT: GradInput = { ...ids, dims: [2, 3], data: BigInt64Array.of(5n, 3n, 7n, 4n, 6n, 0n) };
    await expectGradient('attention causal+padding', [q(), ...kv(3), idsT], (qv, kv_, vv, iv) =>
      op.attention(qv, kv_, vv, op.add(op.causalMask(qv, 2), op.paddingMask(iv, 0, 'float64')), scale),
    );
  });
  it('with a learned additive bias [H, T, S] (gradient reaches the bias)', async () => {
    await expectGradient('attention bias', [q(), ...kv(4), { name: 'bias', dims: [2, 3, 4] }], (qv, kv_, vv, bv) =>
      op.attention(qv, kv_, vv, bv, scale),
    );
  });
  it('float32 with a causal mask', async () => {
    await expectGradient(
      'attention causal f32',
      [q(), ...kv(3)],
      (qv, kv_, vv) => op.attention(qv, kv_, vv, op.causalMask(qv, 2), scale),
      { dtype: 'float32' },
    );
  });
  it('masks hide the future and padded keys', async () => {
    const out = await evalGraph(
      (g) => {
        const x = g.input('x', 'float64', [1, 1, 3, 2]);
        const ids = g.input('ids', 'int64', [1, 3]);
        return { causal: op.causalMask(x, 2), pad: op.paddingMask(ids, 0, 'float64') };
      },
      { x: f64([1, 1, 3, 2], [0, 0, 0, 0, 0, 0]), ids: i64([1, 3], [4, 0, 2]) },
    );
    const M = op.MASKED;
    expect(Array.from(out.causal.data as Float64Array)).toEqual([0, M, M, 0, 0, M, 0, 0, 0]);
    expect(out.pad.dims).toEqual([1, 1, 1, 3]);
    expect(Array.from(out.pad.data as Float64Array)).toEqual([0, M, 0]);
  });
});

describe('rotary position embedding', () => {
  const positions: GradInput = {
    name: 'pos',
    dims: [2, 3],
    dtype: 'int64',
    data: BigInt64Array.of(0n, 1n, 2n, 5n, 3n, 3n),
    differentiable: false,
  };
  it('gradient through applyRope', async () => {
    await expectGradient('RoPE', [{ name: 'x', dims: [2, 2, 3, 4] }, positions], (x, pos) =>
      op.applyRope(x, pos, op.ropeTables(x.graph, op.ropeInverseFrequencies(4, 10000), 8, 'float64')),
    );
  });
  it('rotates each (i, i + D/2) pair by position·θ_i', async () => {
    const x = [1, 2, 3, 4];
    const out = await evalGraph(
      (g) => {
        const xv = g.input('x', 'float64', [1, 1, 2, 4]);
        const pos = g.input('pos', 'int64', [1, 2]);
        return { y: op.applyRope(xv, pos, op.ropeTables(g, op.ropeInverseFrequencies(4, 100), 4, 'float64')) };
      },
      { x: f64([1, 1, 2, 4], [...x, ...x]), pos: i64([1, 2], [0, 3]) },
    );
    const y = Array.from(out.y.data as Float64Array);
    expect(y.slice(0, 4)).toEqual(x); // position 0 is the identity
    for (let i = 0; i < 2; i++) {
      const a = 3 * 100 ** (-(2 * i) / 4);
      const [x1, x2] = [x[i], x[i + 2]];
      expect(y[4 + i]).toBeCloseTo(x1 * Math.cos(a) - x2 * Math.sin(a), 12);
      expect(y[4 + i + 2]).toBeCloseTo(x2 * Math.cos(a) + x1 * Math.sin(a), 12);
    }
  });
});
