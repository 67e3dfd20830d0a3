/**
 * Hugging Face `config.json` ⇄ LlamaConfig for the Llama family (model_type llama, mistral, qwen2).
 * Reads both the transformers 4 layout (`rope_theta` + `rope_scaling`) and the transformers 5 one
 * (`rope_parameters`). What is refused, with the field named: other model types, activations other
 * than SiLU, rope types other than default / linear / llama3, partial rotary embeddings, per-layer
 * rope settings. Mistral's and Qwen2's sliding window is kept as `slidingWindow`: attention here is
 * full, which is the same as long as sequences fit in the window (the runtime refuses longer ones).
 */
import { InputError } from '../errors.ts';
import { type LlamaConfig, llamaHeadDim, type RopeScaling, validateLlamaConfig } from './llama-config.ts';

export const SUPPORTED_MODEL_TYPES = ['llama', 'mistral', 'qwen2'] as const;
export type LlamaModelType = (typeof SUPPORTED_MODEL_TYPES)[number];

export interface HfLlamaConfig {
  modelType: LlamaModelType;
  config: LlamaConfig;
  bosTokenId: number | null;
  /** `eos_token_id` as a list (HF allows a number or a list). */
  eosTokenIds: number[];
  padTokenId: number | null;
}

type Json = Record<string, unknown>;

function fieldError(file: string, field: string, expected: string, got?: unknown): InputError {
  const found = got === undefined ? 'it is missing' : `got ${JSON.stringify(got)?.slice(0, 60)}`;
  return new InputError(`${file}: field "${field}": expected ${expected}, ${found}`);
}

function posInt(raw: Json, field: string, file: string, fallback?: number): number {
  const v = raw[field] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
    throw fieldError(file, field, 'a positive integer', raw[field]);
  return v;
}

function posNumber(obj: Json, field: string, file: string, fallback?: number, prefix = ''): number {
  const v = obj[field] ?? fallback;
  if (typeof v !== 'number' || !(v > 0)) throw fieldError(file, prefix + field, 'a positive number', obj[field]);
  return v;
}

function tokenId(raw: Json, field: string, file: string): number | null {
  const v = raw[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw fieldError(file, field, 'an integer token id or null', v);
  return v;
}

/** theta and scaling from `rope_parameters` (transformers 5) or `rope_theta` + `rope_scaling` (4). */
function readRope(raw: Json, file: string, maxPositions: number): { theta: number; scaling?: RopeScaling } {
  const [field, params] =
    raw.rope_parameters !== undefined && raw.rope_parameters !== null
      ? ['rope_parameters', raw.rope_parameters]
      : ['rope_scaling', raw.rope_scaling ?? {}];
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw fieldError(file, field, 'an object', params);
  const p = params as Json;
  if (Object.values(p).some((v) => typeof v === 'object' && v !== null))
    throw new InputError(`${file}: field "${field}": per-layer RoPE settings are not supported`);
  const theta = posNumber({ rope_theta: p.rope_theta ?? raw.rope_theta }, 'rope_theta', file, 10000);
  const partial = p.partial_rotary_factor ?? raw.partial_rotary_factor;
  if (partial !== undefined && partial !== null && partial !== 1)
    throw fieldError(file, 'partial_rotary_factor', '1 (partial rotary embeddings are not supported)', partial);
  const type = p.rope_type ?? p.type ?? 'default';
  const at = `${field}.`;
  switch (type) {
    case 'default':
      return { theta };
    case 'linear':
      return { theta, scaling: { type: 'linear', factor: posNumber(p, 'factor', file, undefined, at) } };
    case 'llama3': {
      const original = p.original_max_position_embeddings ?? raw.original_max_position_embeddings ?? maxPositions;
      const scaling: RopeScaling = {
        type: 'llama3',
        factor: posNumber(p, 'factor', file, undefined, at),
        lowFreqFactor: posNumber(p, 'low_freq_factor', file, undefined, at),
        highFreqFactor: posNumber(p, 'high_freq_factor', file, undefined, at),
        originalMaxPositions: posNumber(
          { original_max_position_embeddings: original },
          'original_max_position_embeddings',
          file,
          undefined,
          at,
        ),
      };
      if (scaling.highFreqFactor === scaling.lowFreqFactor)
        throw fieldError(file, `${at}high_freq_factor`, 'a value different from low_freq_factor', p.high_freq_factor);
      return { theta, scaling };
    }
    default:
      throw fieldError(file, `${at}rope_type`, 'one of default, linear, llama3', type);
  }
}

/** Parses a config.json object; `file` is named in every error. */
export function llamaConfigFromHf(raw: unknown, file: string): HfLlamaConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new InputError(`${file}: expected a JSON object`);
  const j = raw as Json;
  const modelType = j.model_type;
  if (!SUPPORTED_MODEL_TYPES.includes(modelType as LlamaModelType))
    throw fieldError(file, 'model_type', `one of ${SUPPORTED_MODEL_TYPES.join(', ')}`, modelType);
  const act = j.hidden_act ?? 'silu';
  if (act !== 'silu') throw fieldError(file, 'hidden_act', '"silu"', act);
  const heads = posInt(j, 'num_attention_heads', file);
  const maxPositions = posInt(j, 'max_position_embeddings', file);
  const rope = readRope(j, file, maxPositions);
  const tie = j.tie_word_embeddings ?? false;
  if (typeof tie !== 'boolean') throw fieldError(file, 'tie_word_embeddings', 'true or false', tie);
  const flag = (field: string) => {
    const v = j[field] ?? false;
    if (typeof v !== 'boolean') throw fieldError(file, field, 'true or false', v);
    return v;
  };
  const attentionBias = modelType === 'qwen2' ? false : flag('attention_bias');
  const window = j.sliding_window;
  const usesWindow = modelType === 'qwen2' ? j.use_sliding_window === true : modelType === 'mistral';
  const config: LlamaConfig = {
    vocabSize: posInt(j, 'vocab_size', file),
    hidden: posInt(j, 'hidden_size', file),
    layers: posInt(j, 'num_hidden_layers', file),
    heads,
    kvHeads: posInt(j, 'num_key_value_heads', file, heads),
    intermediate: posInt(j, 'intermediate_size', file),
    rmsEps: posNumber(j, 'rms_norm_eps', file, 1e-6),
    ropeTheta: rope.theta,
    maxPositions,
    tieEmbeddings: tie,
    ...(j.head_dim !== undefined && j.head_dim !== null ? { headDim: posInt(j, 'head_dim', file) } : {}),
    ...(modelType === 'qwen2' || attentionBias ? { qkvBias: true } : {}),
    ...(attentionBias ? { outputBias: true } : {}),
    ...(modelType !== 'qwen2' && flag('mlp_bias') ? { mlpBias: true } : {}),
    ...(rope.scaling ? { ropeScaling: rope.scaling } : {}),
    ...(usesWindow && window !== undefined && window !== null
      ? { slidingWindow: posInt(j, 'sliding_window', file) }
      : {}),
  };
  try {
    validateLlamaConfig(config);
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
  const eos = j.eos_token_id;
  const eosList = Array.isArray(eos) ? eos : eos === undefined || eos === null ? [] : [eos];
  if (!eosList.every((x) => typeof x === 'number' && Number.isInteger(x)))
    throw fieldError(file, 'eos_token_id', 'a token id or a list of them', eos);
  return {
    modelType: modelType as LlamaModelType,
    config,
    bosTokenId: tokenId(j, 'bos_token_id', file),
    eosTokenIds: eosList as number[],
    padTokenId: tokenId(j, 'pad_token_id', file),
  };
}

export interface HfConfigTokens {
  bosTokenId?: number | null;
  eosTokenIds?: number[];
  padTokenId?: number | null;
}

/**
 * A config.json transformers loads as this model: LlamaForCausalLM (model_type llama), or
 * Qwen2ForCausalLM when there are q/k/v biases without an o_proj bias (Llama's `attention_bias`
 * covers all four). Written in the transformers 4 layout, which transformers 5 also reads.
 */
export function llamaConfigToHf(cfg: LlamaConfig, tokens: HfConfigTokens = {}): Record<string, unknown> {
  validateLlamaConfig(cfg);
  const qwen2 = !!cfg.qkvBias && !cfg.outputBias;
  if ((qwen2 && cfg.mlpBias) || (cfg.outputBias && !cfg.qkvBias))
    throw new InputError('llama config: this combination of projection biases has no Hugging Face model type');
  const s = cfg.ropeScaling;
  const eos = tokens.eosTokenIds ?? [];
  return {
    architectures: [qwen2 ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: qwen2 ? 'qwen2' : 'llama',
    torch_dtype: 'float32',
    vocab_size: cfg.vocabSize,
    hidden_size: cfg.hidden,
    intermediate_size: cfg.intermediate,
    num_hidden_layers: cfg.layers,
    num_attention_heads: cfg.heads,
    num_key_value_heads: cfg.kvHeads,
    head_dim: llamaHeadDim(cfg),
    hidden_act: 'silu',
    max_position_embeddings: cfg.maxPositions,
    rms_norm_eps: cfg.rmsEps,
    rope_theta: cfg.ropeTheta,
    rope_scaling: !s
      ? null
      : s.type === 'linear'
        ? { rope_type: 'linear', factor: s.factor }
        : {
            rope_type: 'llama3',
            factor: s.factor,
            low_freq_factor: s.lowFreqFactor,
            high_freq_factor: s.highFreqFactor,
            original_max_position_embeddings: s.originalMaxPositions,
          },
    tie_word_embeddings: cfg.tieEmbeddings,
    ...(qwen2
      ? { use_sliding_window: false, sliding_window: null }
      : { attention_bias: !!cfg.qkvBias, mlp_bias: !!cfg.mlpBias }),
    bos_token_id: tokens.bosTokenId ?? null,
    eos_token_id: eos.length === 1 ? eos[0] : eos.length === 0 ? null : eos,
    pad_token_id: tokens.padTokenId ?? null,
    use_cache: true,
  };
}
