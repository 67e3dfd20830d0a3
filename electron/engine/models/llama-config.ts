/**
 * Llama-family configuration (Llama / Qwen2 / Mistral share this core), its RoPE frequencies, and
 * its parameter list under Hugging Face checkpoint keys and layouts (linear weights [out, in]).
 * Reading a HF config.json into this: llama-hf-config.ts.
 */
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { type FloatDType, initParams, type ParamSpec } from './layers.ts';

export interface LlamaConfig {
  vocabSize: number;
  hidden: number;
  layers: number;
  heads: number;
  /** Key/value heads (GQA); equal to `heads` for plain multi-head attention. */
  kvHeads: number;
  /** SwiGLU inner width. */
  intermediate: number;
  rmsEps: number;
  ropeTheta: number;
  /** Length of the RoPE tables: the longest sequence the graph accepts. */
  maxPositions: number;
  /** lm_head shares model.embed_tokens.weight (no lm_head.weight parameter). */
  tieEmbeddings: boolean;
  /** Per-head width; hidden / heads when absent (HF `head_dim`). */
  headDim?: number;
  /** Biases on q/k/v projections (Qwen2; Llama's `attention_bias` sets this and `outputBias`). */
  qkvBias?: boolean;
  /** Bias on o_proj (Llama `attention_bias`). */
  outputBias?: boolean;
  /** Biases on gate/up/down projections (Llama `mlp_bias`). */
  mlpBias?: boolean;
  /** RoPE frequency scaling (HF `rope_scaling` / `rope_parameters`); none when absent. */
  ropeScaling?: RopeScaling;
  /**
   * Mistral/Qwen2 sliding-window size. Attention here is always full, which equals sliding-window
   * attention while a sequence is no longer than the window; the runtime refuses longer ones.
   */
  slidingWindow?: number;
}

/** HF rope types we implement: 'llama3' (Llama 3.1+) and 'linear' (position interpolation). */
export type RopeScaling =
  | {
      type: 'llama3';
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      /** Pretraining context length (HF `original_max_position_embeddings`). */
      originalMaxPositions: number;
    }
  | { type: 'linear'; factor: number };

export function llamaHeadDim(cfg: LlamaConfig): number {
  return cfg.headDim ?? cfg.hidden / cfg.heads;
}

/** Throws an InputError naming the first inconsistent field. */
export function validateLlamaConfig(cfg: LlamaConfig): void {
  const ints: (keyof LlamaConfig)[] = ['vocabSize', 'hidden', 'layers', 'heads', 'kvHeads', 'intermediate'];
  for (const k of ints) {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
      throw new InputError(`llama config: ${k} must be a positive integer, got ${v}`);
  }
  const d = llamaHeadDim(cfg);
  if (!Number.isInteger(d) || d % 2 !== 0)
    throw new InputError(
      `llama config: head dim ${d} (hidden ${cfg.hidden} / heads ${cfg.heads}) must be an even integer`,
    );
  if (cfg.heads % cfg.kvHeads !== 0)
    throw new InputError(`llama config: heads ${cfg.heads} must be a multiple of kvHeads ${cfg.kvHeads}`);
  if (!(cfg.rmsEps > 0) || !(cfg.ropeTheta > 0) || !(cfg.maxPositions > 0))
    throw new InputError('llama config: rmsEps, ropeTheta and maxPositions must be positive');
}

/**
 * RoPE inverse frequencies as transformers computes them: θ^(−2i/D) in float32, then rescaled as
 * `_compute_llama3_parameters` (Llama 3: long wavelengths ÷ factor, short ones kept, a smooth blend
 * between) or `_compute_linear_scaling_rope_parameters` (all ÷ factor).
 */
export function llamaInverseFrequencies(cfg: LlamaConfig): Float64Array {
  const d = llamaHeadDim(cfg);
  const f = Math.fround;
  const inv = Float64Array.from({ length: d / 2 }, (_, i) => f(1 / f(cfg.ropeTheta ** f((2 * i) / d))));
  const s = cfg.ropeScaling;
  if (!s) return inv;
  if (s.type === 'linear') return inv.map((x) => f(x / s.factor));
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((x) => {
    const wavelen = (2 * Math.PI) / x;
    if (wavelen < highFreqWavelen) return x;
    if (wavelen > lowFreqWavelen) return f(x / s.factor);
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return f(((1 - smooth) * x) / s.factor + smooth * x);
  });
}

/** Every parameter in checkpoint order, with HF keys and [out, in] linear layouts. */
export function llamaParamSpecs(cfg: LlamaConfig, initStd = 0.02): ParamSpec[] {
  validateLlamaConfig(cfg);
  const { hidden: c, intermediate: f } = cfg;
  const d = llamaHeadDim(cfg);
  const normal = (name: string, dims: number[]): ParamSpec => ({
    name,
    dims,
    decay: true,
    init: { kind: 'normal', std: initStd },
  });
  const norm = (name: string): ParamSpec => ({ name, dims: [c], decay: false, init: { kind: 'constant', value: 1 } });
  const bias = (name: string, n: number): ParamSpec => ({
    name,
    dims: [n],
    decay: false,
    init: { kind: 'constant', value: 0 },
  });
  // A linear module's weight [out, in] and, when `hasBias`, its bias [out] right after it.
  const proj = (module: string, out: number, inp: number, hasBias = false) => [
    normal(`${module}.weight`, [out, inp]),
    ...(hasBias ? [bias(`${module}.bias`, out)] : []),
  ];
  const specs: ParamSpec[] = [normal('model.embed_tokens.weight', [cfg.vocabSize, c])];
  for (let i = 0; i < cfg.layers; i++) {
    const p = `model.layers.${i}`;
    specs.push(
      norm(`${p}.input_layernorm.weight`),
      ...proj(`${p}.self_attn.q_proj`, cfg.heads * d, c, cfg.qkvBias),
      ...proj(`${p}.self_attn.k_proj`, cfg.kvHeads * d, c, cfg.qkvBias),
      ...proj(`${p}.self_attn.v_proj`, cfg.kvHeads * d, c, cfg.qkvBias),
      ...proj(`${p}.self_attn.o_proj`, c, cfg.heads * d, cfg.outputBias),
      norm(`${p}.post_attention_layernorm.weight`),
      ...proj(`${p}.mlp.gate_proj`, f, c, cfg.mlpBias),
      ...proj(`${p}.mlp.up_proj`, f, c, cfg.mlpBias),
      ...proj(`${p}.mlp.down_proj`, c, f, cfg.mlpBias),
    );
  }
  specs.push(norm('model.norm.weight'));
  if (!cfg.tieEmbeddings) specs.push(normal('lm_head.weight', [cfg.vocabSize, c]));
  return specs;
}

/** Deterministic initial weights: normal(0, 0.02) for matrices and embeddings, norms = 1. */
export function initLlamaParams(
  cfg: LlamaConfig,
  seed: number,
  dtype: FloatDType = 'float32',
  initStd = 0.02,
): Map<string, HostTensor> {
  return initParams(llamaParamSpecs(cfg, initStd), seed, dtype);
}
