import { beforeAll, describe, expect, it } from 'vitest';
import { AlignBatches } from '../../../electron/engine/align/align-batches.ts';
import { alignModelBuilder, EMBED_WEIGHT, LOSS_WEIGHTS } from '../../../electron/engine/align/align-model.ts';
import type { AlignExample } from '../../../electron/engine/align/example.ts';
import { defaultTrainEmbeddings } from '../../../electron/engine/align/train-align.ts';
import { Graph, type HostTensor } from '../../../electron/engine/graph/graph.ts';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';
import { initProjector, projectorTensors, SLOT_KINDS } from '../../../electron/engine/kernels/projector.ts';
import { buildLlamaLogits, causalLmLoss, type LlamaConfig } from '../../../electron/engine/models/llama.ts';
import {
  declareLoraLlama,
  initLoraParams,
  loraConfig,
  trainableParamGroups,
} from '../../../electron/engine/models/lora.ts';
import { loadLoraBase } from '../models/lora-fixtures.ts';
import { encodedExamples } from './encoded-examples.ts';

// The trained embedding table of the alignment trainer is a host parameter: the host gathers the
// inputs from it and scatters d inputs_embeds back into its rows, and a tied head reads it as a graph
// input whose gradient the host adds. The reference keeps the same table inside one graph (gather and
// head), where the autodiff sums both uses. Three AdamW steps must leave the same weights.
const X = -100;
const examples = encodedExamples([
  { ids: [1, 5, 6, 7, 9, 2], labels: [X, X, X, X, 9, 2] },
  { ids: [1, 3, 3, 8, 11, 12, 4, 2], labels: [X, X, X, X, 11, 12, 4, 2] },
  { ids: [1, 14, 9, 13, 2], labels: [X, X, X, 13, 2] },
]);
const embedding = { name: 'embedding', weightDecay: 0 };
const lora = loraConfig({ r: 4, alpha: 8, targetModules: ['q_proj', 'v_proj', 'down_proj'] });
const lr = { decay: 0.02, no_decay: 0.02, projector: 0.02, embedding: 0.02 };
let llama: LlamaConfig;
let base: Map<string, HostTensor>;
let table: HostTensor;

beforeAll(async () => {
  const fixture = await loadLoraBase();
  llama = { ...fixture.llama, tieEmbeddings: true };
  base = new Map(fixture.weights);
  base.delete('lm_head.weight');
  table = base.get(EMBED_WEIGHT)!;
});

const copy = (t: HostTensor): HostTensor => ({ ...t, data: Float32Array.from(t.data as Float32Array) });
const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

/** The alignment trainer's step with the table trained, over `examples` as one batch in `lengthParts` parts. */
async function trainer(lengthParts = 1) {
  const projectors = new Map(
    SLOT_KINDS.flatMap((kind) => [
      ...projectorTensors(kind, initProjector({ kind, dRec: 1, dModel: llama.hidden, seed: 1 })),
    ]),
  );
  const loraInit = initLoraParams(lora, llama, 3);
  const parts = Math.min(lengthParts, examples.length);
  const ours = await TrainStep.create(
    alignModelBuilder(lora, llama, base, { trainEmbeddings: true }),
    {
      optimizer: { kind: 'adamw' },
      maxGradNorm: 1,
      accumulation: parts,
      external: [
        ...[...projectors].map(([name, t]) => ({ name, dims: t.dims, group: { name: 'projector', weightDecay: 0 } })),
        { name: EMBED_WEIGHT, dims: table.dims, group: embedding },
      ],
    },
    new Map([...loraInit, ...projectors, [EMBED_WEIGHT, copy(table)]]),
  );
  const batches = new AlignBatches({
    examples: examples.map((e) => ({ example: { task: 1 } as AlignExample, encoded: e })),
    batchSize: examples.length,
    seed: 1,
    table: () => ours.params.get(EMBED_WEIGHT)!.data as Float32Array,
    trainEmbeddings: 'tied',
    hidden: llama.hidden,
    padId: 0,
    userVectors: null,
    itemTable: null,
    dRec: 1,
    params: () => ours.params,
    lengthParts,
  });
  expect(batches.partsPerBatch).toBe(parts);
  const step = (s: number) => ours.step(batches.microBatches(s), s, lr, (k, out) => batches.externalGradients(k, out));
  return { ours, batches, loraInit, step };
}

describe('training the tied embedding table (method B default)', () => {
  it('host gather + scatter + tied-head gradient train exactly like the table inside the graph', async () => {
    const { ours, batches, loraInit, step } = await trainer();
    const reference = await TrainStep.create(
      () => {
        const g = new Graph('reference');
        const m = declareLoraLlama(g, lora, llama, {
          base: { kind: 'initializers', weights: base },
          train: true,
          trainBase: [EMBED_WEIGHT],
        });
        const ids = g.input('input_ids', 'int64', ['B', 'T']);
        const labels = g.input('labels', 'int64', ['B', 'T']);
        const weights = g.input(LOSS_WEIGHTS, 'float32', ['B', 'T']);
        const logits = buildLlamaLogits(llama, m.base, ids, { project: m.project });
        return {
          graph: g,
          loss: causalLmLoss(logits, labels, X, weights),
          params: [
            ...trainableParamGroups(Object.values(m.lora), 0),
            { value: m.base[EMBED_WEIGHT], group: embedding },
          ],
        };
      },
      { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1 },
      new Map([...loraInit, [EMBED_WEIGHT, copy(table)]]),
    );
    // Every step holds all three examples (batch = data), so both sides see the same loss.
    const { feeds } = batches.assemble(examples);
    const T = feeds.labels.dims[1];
    const inputIds = new BigInt64Array(examples.length * T);
    for (const [b, e] of examples.entries()) for (const [t, id] of e.ids.entries()) inputIds[b * T + t] = BigInt(id);
    const refFeeds = {
      input_ids: { dtype: 'int64' as const, dims: [examples.length, T], data: inputIds },
      labels: feeds.labels,
      [LOSS_WEIGHTS]: feeds[LOSS_WEIGHTS],
    };
    for (let s = 0; s < 3; s++) {
      const a = await reference.step([refFeeds], s, lr);
      const b = await step(s);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 4);
    }
    const trained = ours.params.get(EMBED_WEIGHT)!.data as Float32Array;
    expect(maxAbsDiff(trained, table.data as Float32Array)).toBeGreaterThan(0.01); // it did train
    expect(maxAbsDiff(trained, reference.params.get(EMBED_WEIGHT)!.data as Float32Array)).toBeLessThan(1e-5);
    for (const name of loraInit.keys()) {
      const diff = maxAbsDiff(
        ours.params.get(name)!.data as Float32Array,
        reference.params.get(name)!.data as Float32Array,
      );
      expect(diff, name).toBeLessThan(1e-5);
    }
    await Promise.all([ours.release(), reference.release()]);
  });
});

describe('length parts (align-batches.ts)', () => {
  it('run a batch as length-sorted micro-batches, each padded to its own longest, and train the same weights', async () => {
    const whole = await trainer(1);
    const split = await trainer(2);
    // Lengths 6, 8, 5: sorted 5 | 6, 8, so the parts pad to 5 and 8 columns, one padded batch to 8.
    expect(whole.batches.microBatches(0).map((f) => f.labels.dims)).toEqual([[3, 8]]);
    expect(split.batches.microBatches(0).map((f) => f.labels.dims)).toEqual([
      [1, 5],
      [2, 8],
    ]);
    for (let s = 0; s < 3; s++) {
      const a = await whole.step(s);
      const b = await split.step(s);
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 4);
    }
    for (const name of [EMBED_WEIGHT, ...whole.loraInit.keys()]) {
      const diff = maxAbsDiff(
        split.ours.params.get(name)!.data as Float32Array,
        whole.ours.params.get(name)!.data as Float32Array,
      );
      expect(diff, name).toBeLessThan(1e-5);
    }
    await Promise.all([whole.ours.release(), split.ours.release()]);
  });
});

describe('whether a run trains the table by default', () => {
  it('does for a small table (the tiny LM), not for a real LM whose table and AdamW state run to gigabytes', () => {
    expect(defaultTrainEmbeddings({ vocabSize: 1299, hidden: 128 })).toBe(true); // the demo's tiny LM
    expect(defaultTrainEmbeddings({ vocabSize: 151_936, hidden: 896 })).toBe(false); // Qwen2.5-0.5B
    expect(defaultTrainEmbeddings({ vocabSize: 31_250, hidden: 128 })).toBe(true); // exactly 4 M entries
  });
});
