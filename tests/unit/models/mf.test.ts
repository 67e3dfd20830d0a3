/** MF builders: parameters, init, loss values at known points, input shapes. (Parity with PyTorch:
 * tests/unit/models/recommender-vs-torch.test.ts.) */
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import type { TrainableModel } from '../../../electron/engine/graph/train-step.ts';
import {
  buildMfBpr,
  buildMfSampledSoftmax,
  initMfParams,
  type MfConfig,
  mfParamSpecs,
} from '../../../electron/engine/models/mf.ts';

const CFG: MfConfig = { numUsers: 4, numItems: 6, dim: 3 };
const ids = (dims: number[], v: number[]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(v.map(BigInt)),
});

async function loss(m: TrainableModel, feeds: Record<string, HostTensor>, params: Map<string, HostTensor>) {
  m.graph.output(m.loss, 'loss');
  const s = await GraphSession.create(m.graph, { providers: ['cpu'] });
  try {
    return Number((await s.run({ ...feeds, ...Object.fromEntries(params) })).loss.data[0]);
  } finally {
    await s.release();
  }
}

const zeroParams = () =>
  new Map([...initMfParams(CFG, 1)].map(([k, t]) => [k, { ...t, data: new Float32Array(t.data.length) }]));

describe('mf', () => {
  it('declares both tables with a zero padding row and a deterministic init', () => {
    expect(mfParamSpecs(CFG).map((s) => [s.name, s.dims])).toEqual([
      ['user_emb.weight', [5, 3]],
      ['item_emb.weight', [7, 3]],
    ]);
    const a = initMfParams(CFG, 7);
    const b = initMfParams(CFG, 7);
    for (const [name, t] of a) {
      expect([...t.data.subarray(0, 3)]).toEqual([0, 0, 0]);
      expect(t.data).toEqual(b.get(name)!.data);
    }
    expect(initMfParams(CFG, 8).get('item_emb.weight')!.data).not.toEqual(a.get('item_emb.weight')!.data);
    expect(() => mfParamSpecs({ ...CFG, dim: 0 })).toThrow(/dim must be a positive integer/);
  });

  it('BPR is log 2 at zero weights; the L2 term adds λ·Σ‖row‖²/B', async () => {
    const batch = { user: ids([2], [1, 2]), pos: ids([2], [3, 4]), neg: ids([2], [5, 6]) };
    expect(await loss(buildMfBpr(CFG), batch, zeroParams())).toBeCloseTo(Math.LN2, 6);
    // Every table entry 0.5: margin 0, each row's ‖·‖² = 3·0.25, three rows per example.
    const half = new Map(
      [...zeroParams()].map(([k, t]) => [k, { ...t, data: new Float32Array(t.data.length).fill(0.5) }]),
    );
    expect(await loss(buildMfBpr(CFG, { l2: 0.1 }), batch, half)).toBeCloseTo(Math.LN2 + 0.1 * 3 * 0.75, 6);
  });

  it('sampled softmax is log(1 + k) at zero weights, with neg [B, k], or [B] when k = 1', async () => {
    const user = ids([2], [1, 2]);
    const pos = ids([2], [3, 4]);
    const three = { user, pos, neg: ids([2, 3], [1, 2, 5, 6, 1, 2]) };
    expect(await loss(buildMfSampledSoftmax(CFG, 3), three, zeroParams())).toBeCloseTo(Math.log(4), 6);
    const one = { user, pos, neg: ids([2], [5, 6]) };
    expect(await loss(buildMfSampledSoftmax(CFG, 1), one, zeroParams())).toBeCloseTo(Math.LN2, 6);
    expect(() => buildMfSampledSoftmax(CFG, 0)).toThrow(/negatives/);
  });
});
