/** Llama builder: HF parameter names and layouts, deterministic init, tied head. (Parity with
 * transformers' LlamaForCausalLM: tests/unit/graph/models-vs-torch.test.ts.) */
import { describe, expect, it } from 'vitest';
import { TrainStep } from '../../../electron/engine/graph/train-step.ts';
import {
  buildLlamaCausalLm,
  initLlamaParams,
  type LlamaConfig,
  llamaCausalLmBuilder,
  llamaParamSpecs,
} from '../../../electron/engine/models/llama.ts';

const CFG: LlamaConfig = {
  vocabSize: 40,
  hidden: 16,
  layers: 1,
  heads: 4,
  kvHeads: 1,
  intermediate: 24,
  rmsEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: 12,
  tieEmbeddings: true,
};

describe('llama', () => {
  it('names parameters with HF keys and [out, in] layouts; tied heads have no lm_head', () => {
    const specs = llamaParamSpecs(CFG);
    const dims = Object.fromEntries(specs.map((s) => [s.name, s.dims]));
    expect(dims['model.layers.0.self_attn.q_proj.weight']).toEqual([16, 16]);
    expect(dims['model.layers.0.self_attn.k_proj.weight']).toEqual([4, 16]);
    expect(dims['model.layers.0.mlp.down_proj.weight']).toEqual([16, 24]);
    expect(dims['lm_head.weight']).toBeUndefined();
    expect(llamaParamSpecs({ ...CFG, tieEmbeddings: false }).at(-1)?.name).toBe('lm_head.weight');
    expect(() => llamaParamSpecs({ ...CFG, kvHeads: 3 })).toThrow(/multiple of kvHeads/);
    const groups = buildLlamaCausalLm(CFG).params.map((p) => `${p.value.name}:${p.group.name}`);
    expect(groups).toContain('model.norm.weight:no_decay');
    expect(groups).toContain('model.embed_tokens.weight:decay');
  });

  it('initialises deterministically: normal(0, 0.02) matrices, unit norms', () => {
    const a = initLlamaParams(CFG, 7);
    const b = initLlamaParams(CFG, 7);
    const emb = a.get('model.embed_tokens.weight')!.data as Float32Array;
    expect(emb).toEqual(b.get('model.embed_tokens.weight')!.data);
    expect(emb).not.toEqual(initLlamaParams(CFG, 8).get('model.embed_tokens.weight')!.data);
    const std = Math.sqrt(emb.reduce((s, x) => s + x * x, 0) / emb.length);
    expect(std).toBeGreaterThan(0.018);
    expect(std).toBeLessThan(0.022);
    expect([...(a.get('model.layers.0.input_layernorm.weight')!.data as Float32Array)]).toEqual(Array(16).fill(1));
  });

  it('trains a tied-head model on one batch (at a length other than the tables)', async () => {
    const ts = await TrainStep.create(
      llamaCausalLmBuilder(CFG),
      { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1, session: { providers: ['cpu'] } },
      initLlamaParams(CFG, 1),
    );
    const ids = BigInt64Array.from({ length: 14 }, (_, k) => BigInt((k * 7) % 40));
    const batch = {
      input_ids: { dtype: 'int64' as const, dims: [2, 7], data: ids },
      labels: { dtype: 'int64' as const, dims: [2, 7], data: ids },
    };
    const losses: number[] = [];
    for (let s = 0; s < 20; s++) losses.push((await ts.step([batch], s, { decay: 3e-2, no_decay: 3e-2 })).loss);
    expect(losses[0]).toBeCloseTo(Math.log(40), 1);
    expect(losses[19]).toBeLessThan(losses[0] * 0.5);
    await ts.release();
  });
});
