/** HF config.json → LlamaConfig: model types, rope layouts and Llama-3 scaling (vs transformers), errors. */
import { describe, expect, it } from 'vitest';
import {
  type LlamaConfig,
  llamaConfigFromHf,
  llamaConfigToHf,
  llamaInverseFrequencies,
  llamaParamSpecs,
} from '../../../electron/engine/models/llama.ts';
import { llmReference } from './llm-fixtures.ts';

const FILE = '/models/x/config.json';
const BASE = {
  model_type: 'llama',
  vocab_size: 100,
  hidden_size: 64,
  intermediate_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 8,
  num_key_value_heads: 2,
  max_position_embeddings: 256,
  rms_norm_eps: 1e-5,
  rope_theta: 500000,
  tie_word_embeddings: true,
  eos_token_id: [5, 6],
  bos_token_id: 4,
};

describe('llamaConfigFromHf', () => {
  it('reads a Llama config (transformers 4 layout) with Llama-3 rope scaling', () => {
    const { modelType, config, eosTokenIds, bosTokenId, padTokenId } = llamaConfigFromHf(
      {
        ...BASE,
        rope_scaling: {
          rope_type: 'llama3',
          factor: 8,
          low_freq_factor: 1,
          high_freq_factor: 4,
          original_max_position_embeddings: 64,
        },
      },
      FILE,
    );
    expect(modelType).toBe('llama');
    expect(config).toEqual({
      vocabSize: 100,
      hidden: 64,
      layers: 2,
      heads: 8,
      kvHeads: 2,
      intermediate: 128,
      rmsEps: 1e-5,
      ropeTheta: 500000,
      maxPositions: 256,
      tieEmbeddings: true,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
    });
    expect([eosTokenIds, bosTokenId, padTokenId]).toEqual([[5, 6], 4, null]);
  });

  it('applies Llama-3 scaling to the inverse frequencies as transformers does', () => {
    const ref = llmReference().llama31_rope;
    const p = ref.rope_parameters;
    const { config } = llamaConfigFromHf(
      {
        ...BASE,
        hidden_size: 4096,
        num_attention_heads: 32,
        num_key_value_heads: 8,
        max_position_embeddings: 131072,
        rope_theta: undefined,
        rope_parameters: p,
      },
      FILE,
    );
    expect(config.ropeTheta).toBe(500000);
    const inv = llamaInverseFrequencies(config);
    expect(inv.length).toBe(ref.head_dim / 2);
    let worst = 0;
    for (let i = 0; i < inv.length; i++) worst = Math.max(worst, Math.abs(inv[i] - ref.inv_freq[i]) / ref.inv_freq[i]);
    expect(worst).toBeLessThan(3e-7); // float32 rounding
    // All three bands occur: kept (i = 0), blended, divided by the factor (last).
    const plain = llamaInverseFrequencies({ ...config, ropeScaling: undefined });
    expect(inv[0]).toBe(plain[0]);
    expect(inv.at(-1)! / plain.at(-1)!).toBeCloseTo(1 / 8, 6);
    expect(inv.some((x, i) => x / plain[i] > 0.13 && x / plain[i] < 0.99)).toBe(true);
  });

  it('reads Qwen2 (q/k/v biases) and Mistral (sliding window) configs', () => {
    const qwen = llamaConfigFromHf(
      {
        ...BASE,
        model_type: 'qwen2',
        use_sliding_window: false,
        sliding_window: 32,
        rope_parameters: { rope_theta: 1e6 },
      },
      FILE,
    ).config;
    expect(qwen.qkvBias).toBe(true);
    expect(qwen.outputBias).toBeUndefined();
    expect(qwen.slidingWindow).toBeUndefined();
    expect(qwen.ropeTheta).toBe(1e6);
    const names = llamaParamSpecs(qwen).map((s) => s.name);
    expect(names).toContain('model.layers.1.self_attn.k_proj.bias');
    expect(names).not.toContain('model.layers.1.self_attn.o_proj.bias');
    const mistral = llamaConfigFromHf(
      { ...BASE, model_type: 'mistral', sliding_window: 4096, head_dim: 16 },
      FILE,
    ).config;
    expect(mistral.slidingWindow).toBe(4096);
    expect(mistral.headDim).toBe(16);
    const biased = llamaConfigFromHf({ ...BASE, attention_bias: true, mlp_bias: true }, FILE).config;
    expect([biased.qkvBias, biased.outputBias, biased.mlpBias]).toEqual([true, true, true]);
  });

  it.each([
    [{ model_type: 'gpt2' }, /config\.json: field "model_type": expected one of llama, mistral, qwen2, got "gpt2"/],
    [{ hidden_size: undefined }, /config\.json: field "hidden_size": expected a positive integer, it is missing/],
    [{ num_attention_heads: 2.5 }, /field "num_attention_heads": expected a positive integer, got 2\.5/],
    [{ hidden_act: 'gelu' }, /field "hidden_act"/],
    [
      { rope_scaling: { rope_type: 'yarn', factor: 4 } },
      /field "rope_scaling\.rope_type": expected one of default, linear, llama3, got "yarn"/,
    ],
    [{ rope_scaling: { rope_type: 'llama3', factor: 8 } }, /field "rope_scaling\.low_freq_factor"/],
    [{ partial_rotary_factor: 0.5 }, /field "partial_rotary_factor"/],
    [{ num_key_value_heads: 3 }, /config\.json: .*multiple of kvHeads/],
    [{ eos_token_id: 'x' }, /field "eos_token_id"/],
  ])('refuses %j naming config.json and the field', (patch, message) => {
    expect(() => llamaConfigFromHf({ ...BASE, ...patch }, FILE)).toThrow(message);
  });

  it('writes configs it reads back, as llama or qwen2', () => {
    const cfgs: LlamaConfig[] = [
      llamaConfigFromHf({ ...BASE, rope_scaling: { rope_type: 'linear', factor: 2 } }, FILE).config,
      llamaConfigFromHf({ ...BASE, model_type: 'qwen2', tie_word_embeddings: false }, FILE).config,
      llamaConfigFromHf({ ...BASE, attention_bias: true }, FILE).config,
    ];
    for (const cfg of cfgs) {
      const json = llamaConfigToHf(cfg, { eosTokenIds: [5], bosTokenId: 4 });
      const back = llamaConfigFromHf(JSON.parse(JSON.stringify(json)), FILE);
      expect(back.config).toEqual({ ...cfg, headDim: 8 });
      expect(back.eosTokenIds).toEqual([5]);
    }
    expect(llamaConfigToHf(cfgs[1]).model_type).toBe('qwen2');
    expect(llamaConfigToHf(cfgs[2]).architectures).toEqual(['LlamaForCausalLM']);
  });
});
