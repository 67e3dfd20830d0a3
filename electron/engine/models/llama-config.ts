/**
 * Llama-family configuration (Llama / Qwen2 / Mistral share this core) and its parameter list under
 * Hugging Face checkpoint keys and layouts (linear weights [out, in]).
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
}

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
  const specs: ParamSpec[] = [normal('model.embed_tokens.weight', [cfg.vocabSize, c])];
  for (let i = 0; i < cfg.layers; i++) {
    const p = `model.layers.${i}`;
    specs.push(
      norm(`${p}.input_layernorm.weight`),
      normal(`${p}.self_attn.q_proj.weight`, [cfg.heads * d, c]),
      normal(`${p}.self_attn.k_proj.weight`, [cfg.kvHeads * d, c]),
      normal(`${p}.self_attn.v_proj.weight`, [cfg.kvHeads * d, c]),
      normal(`${p}.self_attn.o_proj.weight`, [c, cfg.heads * d]),
      norm(`${p}.post_attention_layernorm.weight`),
      normal(`${p}.mlp.gate_proj.weight`, [f, c]),
      normal(`${p}.mlp.up_proj.weight`, [f, c]),
      normal(`${p}.mlp.down_proj.weight`, [c, f]),
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
