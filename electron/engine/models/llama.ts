/**
 * Llama-family decoder as an emitted graph: token embedding, L × (RMSNorm → causal GQA attention
 * with RoPE → residual, RMSNorm → SwiGLU MLP → residual), final RMSNorm, LM head; and the causal-LM
 * loss. Numerically the same model as transformers' LlamaForCausalLM / Qwen2ForCausalLM (checked
 * against it by tests/unit/graph/models-vs-torch.test.ts and tests/unit/llm); parameters are graph
 * inputs (training) or initializers (frozen / inference) under HF checkpoint keys.
 *
 * The forward also takes embeddings instead of ids, an additive embedding term, explicit positions
 * and mask, and per-layer past keys/values (the KV-cache step of llm/llama-runtime.ts).
 * Loading HF directories: llm/hf-model-dir.ts. LoRA: models/lora.ts (through `project`).
 *
 * Shapes: B batch, T new tokens, P cached tokens, S = P + T, C hidden, H heads, K kv heads,
 * R = H/K, D head dim, F intermediate, V vocab.
 */
import { Graph, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import type { ModelBuilder, TrainableModel } from '../graph/train-step.ts';
import { declareParams, type FloatDType, linear, mergeHeads, paramGroups, positionIds, splitHeads } from './layers.ts';
import { type LlamaConfig, llamaHeadDim, llamaInverseFrequencies, llamaParamSpecs } from './llama-config.ts';

export * from './llama-config.ts';
export * from './llama-hf-config.ts';

/** Parameters by HF key (graph inputs, or initializers when frozen). */
export type LlamaParams = Record<string, Value>;

/** k/v [B, K, T, D] → [B, H, T, D]: each kv head serves R consecutive query heads (HF repeat_kv). */
function repeatKv(x: Value, repeats: number): Value {
  if (repeats === 1) return x;
  const [b, k, t, d] = x.shape;
  const x5 = op.unsqueeze(x, [2]); // [B, K, 1, T, D]
  const expanded = op.expand(x5, [b, k, repeats, t, d]); // [B, K, R, T, D]
  return op.reshape(expanded, [b, (k as number) * repeats, t, d]); // [B, H, T, D]
}

/**
 * How a named linear module (HF path, e.g. `model.layers.0.self_attn.q_proj`) is applied; the
 * default is y = x·Wᵀ (+ b). LoRA (models/lora.ts) supplies one that adds the low-rank update.
 */
export type Projection = (module: string, x: Value, weight: Value, bias: Value | null) => Value;

export const plainProjection: Projection = (_module, x, weight, bias) => linear(x, weight, bias);

/** One layer's keys (RoPE already applied) and values, [B, K, S, D]. */
export interface LlamaKv {
  key: Value;
  value: Value;
}

export interface LlamaForwardOptions {
  project?: Projection;
  /** [B, T, C] added to the token embeddings (intention alignment injects recommender vectors so). */
  addEmbeds?: Value;
  /** int64 positions [B, T] (or [1, T]); default 0…T−1. */
  positions?: Value;
  /** Additive mask broadcastable to [B, H, T, S]; default causal over the T tokens. Required with `past`. */
  mask?: Value;
  /** Per layer, the keys/values of P earlier tokens [B, K, P, D] that the T tokens attend to first. */
  past?: LlamaKv[];
}

/**
 * Final-norm hidden states [B, T, C] and, per layer, keys/values of past + new tokens [B, K, S, D].
 * `input` is int64 token ids [B, T], or float embeddings [B, T, C] used in place of the lookup
 * (HF `inputs_embeds`).
 */
export function buildLlamaHidden(
  cfg: LlamaConfig,
  params: LlamaParams,
  input: Value,
  opts: LlamaForwardOptions = {},
): { hidden: Value; presents: LlamaKv[] } {
  const project = opts.project ?? plainProjection;
  if (opts.past && !opts.mask) throw new Error('buildLlamaHidden: a mask is required with past keys/values');
  if (opts.past && opts.past.length !== cfg.layers)
    throw new Error(`buildLlamaHidden: past has ${opts.past.length} layers, the model ${cfg.layers}`);
  const g = input.graph;
  const embed = params['model.embed_tokens.weight'];
  const dtype = embed.dtype as FloatDType;
  const d = llamaHeadDim(cfg);
  const rope = op.ropeTables(g, llamaInverseFrequencies(cfg), cfg.maxPositions, dtype);
  const positions = opts.positions ?? positionIds(input); // [B or 1, T]
  const scale = 1 / Math.sqrt(d);
  let x = input.dtype === 'int64' ? op.gather(embed, input) : input; // [B, T, C]
  if (opts.addEmbeds) x = op.add(x, opts.addEmbeds);
  const mask = opts.mask ?? op.causalMask(x, 1); // [T, T] additive unless given
  const presents: LlamaKv[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    const p = (name: string) => params[`model.layers.${i}.${name}`];
    const proj = (module: string, x: Value) =>
      project(
        `model.layers.${i}.${module}`,
        x,
        p(`${module}.weight`),
        params[`model.layers.${i}.${module}.bias`] ?? null,
      );
    // attention: x + o(attn(rope(q(h)), rope(k(h)), v(h))), h = rmsnorm(x)
    const h = op.rmsNorm(x, p('input_layernorm.weight'), cfg.rmsEps); // [B, T, C]
    let q = splitHeads(proj('self_attn.q_proj', h), cfg.heads, d); // [B, H, T, D]
    let k = splitHeads(proj('self_attn.k_proj', h), cfg.kvHeads, d); // [B, K, T, D]
    let v = splitHeads(proj('self_attn.v_proj', h), cfg.kvHeads, d); // [B, K, T, D]
    q = op.applyRope(q, positions, rope);
    k = op.applyRope(k, positions, rope);
    const past = opts.past?.[i];
    if (past) {
      k = op.concat([past.key, k], 2); // [B, K, S, D]
      v = op.concat([past.value, v], 2); // [B, K, S, D]
    }
    presents.push({ key: k, value: v });
    const r = cfg.heads / cfg.kvHeads;
    const a = op.attention(q, repeatKv(k, r), repeatKv(v, r), mask, scale); // [B, H, T, D]
    x = op.add(x, proj('self_attn.o_proj', mergeHeads(a))); // [B, T, C]
    // MLP: x + down(silu(gate(h)) ∘ up(h)), h = rmsnorm(x)
    const h2 = op.rmsNorm(x, p('post_attention_layernorm.weight'), cfg.rmsEps); // [B, T, C]
    const gate = op.silu(proj('mlp.gate_proj', h2)); // [B, T, F]
    const up = proj('mlp.up_proj', h2); // [B, T, F]
    x = op.add(x, proj('mlp.down_proj', op.mul(gate, up))); // [B, T, C]
  }
  return { hidden: op.rmsNorm(x, params['model.norm.weight'], cfg.rmsEps), presents }; // [B, T, C]
}

/** LM head: hidden [..., C] → logits [..., V] (the embedding matrix when tied). */
export function llamaHead(cfg: LlamaConfig, params: LlamaParams, hidden: Value): Value {
  return linear(hidden, cfg.tieEmbeddings ? params['model.embed_tokens.weight'] : params['lm_head.weight']);
}

/**
 * Logits [B, T, V] from int64 `input` ids [B, T] (or float embeddings [B, T, C]) at positions
 * 0…T−1 (T ≤ maxPositions) unless `opts.positions` says otherwise.
 */
export function buildLlamaLogits(
  cfg: LlamaConfig,
  params: LlamaParams,
  input: Value,
  opts: LlamaForwardOptions = {},
): Value {
  return llamaHead(cfg, params, buildLlamaHidden(cfg, params, input, opts).hidden); // [B, T, V]
}

const INT64_MAX = 9223372036854775807n;

/**
 * Next-token loss, as HF's ForCausalLMLoss: `labels` [B, T] are unshifted (usually the input ids,
 * with -100 where no loss is wanted); the graph shifts them, so position t is scored against
 * labels[t+1] and the last position against nothing. Mean over the counted targets; with
 * `weights` [B, T] (each label token's weight, aligned with `labels`) Σ weight·CE instead.
 */
export function causalLmLoss(logits: Value, labels: Value, ignoreIndex = -100, weights?: Value): Value {
  const g = logits.graph;
  const [b, t, v] = logits.shape;
  // Position t predicts token t+1: labels (and their weights) move one step left, padded at the end.
  const shiftLeft = (x: Value, pad: Value) => {
    const next = g.node(
      'Slice',
      [x, g.ints([1], 'starts'), g.constant(BigInt64Array.of(INT64_MAX), 'int64', [1], 'ends'), g.ints([1], 'axes')],
      [{ dtype: x.dtype, shape: [b, 'T_minus_1'] }],
    )[0]; // [B, T−1]
    return g.node('Pad', [next, g.ints([0, 0, 0, 1], 'pads'), pad], [{ dtype: x.dtype, shape: [b, t] }])[0];
  };
  const ignore = g.constant(BigInt64Array.of(BigInt(ignoreIndex)), 'int64', [], 'ignore_index');
  const shifted = op.reshape(shiftLeft(labels, ignore), [-1]);
  const flat = op.reshape(logits, [-1, v]); // [B·T, V]
  if (!weights) return op.softmaxCrossEntropy(flat, shifted, ignoreIndex);
  const w = op.reshape(shiftLeft(weights, g.scalar(0, weights.dtype)), [-1]);
  return op.weightedSoftmaxCrossEntropy(flat, shifted, w, ignoreIndex);
}

export interface LlamaGraphOptions {
  dtype?: FloatDType;
  /** AdamW weight decay of matrices and embeddings (norms never decay). Default 0.01. */
  weightDecay?: number;
}

/**
 * Declares the causal-LM training graph: inputs `input_ids` and `labels` (int64 [B, T]) and every
 * parameter under its HF key; scalar loss. Llama has no dropout, so `train` changes nothing.
 */
export function buildLlamaCausalLm(cfg: LlamaConfig, opts: LlamaGraphOptions = {}): TrainableModel {
  const g = new Graph('llama_causal_lm');
  const specs = llamaParamSpecs(cfg);
  const params = declareParams(g, specs, opts.dtype ?? 'float32');
  const inputIds = g.input('input_ids', 'int64', ['B', 'T']);
  const labels = g.input('labels', 'int64', ['B', 'T']);
  const loss = causalLmLoss(buildLlamaLogits(cfg, params, inputIds), labels);
  return { graph: g, loss, params: paramGroups(specs, params, opts.weightDecay ?? 0.01) };
}

/** A ModelBuilder for TrainStep.create. */
export function llamaCausalLmBuilder(cfg: LlamaConfig, opts: LlamaGraphOptions = {}): ModelBuilder {
  return () => buildLlamaCausalLm(cfg, opts);
}
