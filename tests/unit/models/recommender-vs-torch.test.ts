/**
 * Target-recommender parity with PyTorch (fixtures: tests/fixtures/gen_graph_fixtures.py, float64
 * references): SASRec with one head (the sasrec-original preset's shape), SASRec with UniRec's
 * full-softmax cross-entropy (swish, post-LN) and its user encoder, MF with BPR + L2 and with sampled softmax + L2. Same measures and tolerances as
 * tests/unit/graph/models-vs-torch.test.ts: the loss and every gradient at the fixture's weights,
 * and the 50-step AdamW loss curve through TrainStep, in float64 and float32 graphs.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { loadSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import type { ModelBuilder } from '../../../electron/engine/graph/train-step.ts';
import { type MfConfig, mfBprBuilder, mfSampledSoftmaxBuilder } from '../../../electron/engine/models/mf.ts';
import {
  buildSasrecUserEncoder,
  type SasrecConfig,
  sasrecBceBuilder,
  sasrecCeBuilder,
} from '../../../electron/engine/models/sasrec.ts';
import {
  expectTorchParity,
  FIXTURE_DIR,
  type FloatDType,
  loadTorchFixture,
  scaledMaxError,
  TORCH_TOLERANCE,
  type TorchFixture,
} from '../graph/torch-fixtures.ts';

type MfFixtureConfig = MfConfig & { l2: number; negatives: number };
const wd = (fx: TorchFixture) => fx.meta.optimizer.weight_decay;
const mfOpts = (fx: TorchFixture, dtype: FloatDType) => ({
  dtype,
  weightDecay: wd(fx),
  l2: (fx.meta.config as unknown as MfFixtureConfig).l2,
});

const cases: { fixture: string; builder: (fx: TorchFixture, dtype: FloatDType) => ModelBuilder }[] = [
  {
    // sasrec-original in miniature: one head, pre-LN, BCE (the single-head path skips the transposes).
    fixture: 'sasrec_h1',
    builder: (fx, dtype) => sasrecBceBuilder(fx.meta.config as unknown as SasrecConfig, { dtype, weightDecay: wd(fx) }),
  },
  {
    fixture: 'sasrec_ce',
    builder: (fx, dtype) => sasrecCeBuilder(fx.meta.config as unknown as SasrecConfig, { dtype, weightDecay: wd(fx) }),
  },
  {
    fixture: 'mf_bpr',
    builder: (fx, dtype) => mfBprBuilder(fx.meta.config as unknown as MfConfig, mfOpts(fx, dtype)),
  },
  {
    fixture: 'mf_softmax',
    builder: (fx, dtype) => {
      const cfg = fx.meta.config as unknown as MfFixtureConfig;
      return mfSampledSoftmaxBuilder(cfg, cfg.negatives, mfOpts(fx, dtype));
    },
  },
];

describe.each(cases)('$fixture vs PyTorch', ({ fixture, builder }) => {
  it.each(['float64', 'float32'] as const)('%s: loss, gradients and 50-step AdamW curve', (dtype) =>
    expectTorchParity(fixture, dtype, builder),
  );
});

describe('sasrec user encoder vs PyTorch', () => {
  it.each(['float64', 'float32'] as const)('%s: last-position features with frozen weights', async (dtype) => {
    const fx = await loadTorchFixture('sasrec_ce', dtype);
    const { tensors } = await loadSafetensors(path.join(FIXTURE_DIR, 'sasrec_ce.safetensors'));
    const expected = tensors.get('ref.user')!;
    const cfg = fx.meta.config as unknown as SasrecConfig;
    const graph = buildSasrecUserEncoder(cfg, fx.params);
    expect(graph.inputs.map((v) => v.name)).toEqual(['seq']);
    const session = await GraphSession.create(graph, { providers: ['cpu'] });
    try {
      const out: Record<string, HostTensor> = await session.run({ seq: fx.batch.seq });
      expect(out.user.dims).toEqual(expected.dims);
      const e = scaledMaxError(out.user.data as Float64Array, expected.data as Float64Array);
      console.log(`sasrec user encoder ${dtype}: ${e.toExponential(2)}`);
      expect(e).toBeLessThan(TORCH_TOLERANCE[dtype].grad);
    } finally {
      await session.release();
    }
  });
});
