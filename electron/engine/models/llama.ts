/**
 * Llama-family decoder as an emitted graph: token embedding, L × (RMSNorm → causal GQA attention
 * with RoPE → residual, RMSNorm → SwiGLU MLP → residual), final RMSNorm, LM head; and the causal-LM
 * loss. Numerically the same model as transformers' LlamaForCausalLM (checked against it by
 * tests/unit/graph/models-vs-torch.test.ts); parameters are graph inputs under HF checkpoint keys.
 *
 * Not here (yet): loading HF directories, LoRA, KV-cache generation, padding-aware attention.
 *
 * Shapes: B batch, T time, C hidden, H heads, K kv heads, R = H/K, D head dim, F intermediate,
 * V vocab.
 */
import { Graph, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import type { ModelBuilder, TrainableModel } from '../graph/train-step.ts';
import { declareParams, type FloatDType, linear, mergeHeads, paramGroups, positionIds, splitHeads } from './layers.ts';
import { type LlamaConfig, llamaHeadDim, llamaParamSpecs } from './llama-config.ts';

export * from './llama-config.ts';

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
 * Logits [B, T, V] from int64 `inputIds` [B, T] at positions 0…T−1 (T ≤ maxPositions).
 */
export function buildLlamaLogits(cfg: LlamaConfig, params: LlamaParams, inputIds: Value): Value {
  const g = inputIds.graph;
  const embed = params['model.embed_tokens.weight'];
  const dtype = embed.dtype as FloatDType;
  const d = llamaHeadDim(cfg);
  const rope = op.ropeTables(g, op.ropeInverseFrequencies(d, cfg.ropeTheta), cfg.maxPositions, dtype);
  const positions = positionIds(inputIds); // [1, T]
  const scale = 1 / Math.sqrt(d);
  let x = op.gather(embed, inputIds); // [B, T, C]
  const mask = op.causalMask(x, 1); // [T, T] additive
  for (let i = 0; i < cfg.layers; i++) {
    const p = (name: string) => params[`model.layers.${i}.${name}`];
    // attention: x + o(attn(rope(q(h)), rope(k(h)), v(h))), h = rmsnorm(x)
    const h = op.rmsNorm(x, p('input_layernorm.weight'), cfg.rmsEps); // [B, T, C]
    let q = splitHeads(linear(h, p('self_attn.q_proj.weight')), cfg.heads, d); // [B, H, T, D]
    let k = splitHeads(linear(h, p('self_attn.k_proj.weight')), cfg.kvHeads, d); // [B, K, T, D]
    const v = splitHeads(linear(h, p('self_attn.v_proj.weight')), cfg.kvHeads, d); // [B, K, T, D]
    q = op.applyRope(q, positions, rope);
    k = op.applyRope(k, positions, rope);
    const r = cfg.heads / cfg.kvHeads;
    const a = op.attention(q, repeatKv(k, r), repeatKv(v, r), mask, scale); // [B, H, T, D]
    x = op.add(x, linear(mergeHeads(a), p('self_attn.o_proj.weight'))); // [B, T, C]
    // MLP: x + down(silu(gate(h)) ∘ up(h)), h = rmsnorm(x)
    const h2 = op.rmsNorm(x, p('post_attention_layernorm.weight'), cfg.rmsEps); // [B, T, C]
    const gate = op.silu(linear(h2, p('mlp.gate_proj.weight'))); // [B, T, F]
    const up = linear(h2, p('mlp.up_proj.weight')); // [B, T, F]
    x = op.add(x, linear(op.mul(gate, up), p('mlp.down_proj.weight'))); // [B, T, C]
  }
  x = op.rmsNorm(x, params['model.norm.weight'], cfg.rmsEps); // [B, T, C]
  const head = cfg.tieEmbeddings ? embed : params['lm_head.weight'];
  return linear(x, head); // [B, T, V]
}

const INT64_MAX = 9223372036854775807n;

/**
 * Next-token loss, as HF's ForCausalLMLoss: `labels` [B, T] are unshifted (usually the input ids,
 * with -100 where no loss is wanted); the graph shifts them, so position t is scored against
 * labels[t+1] and the last position against nothing. Mean over the counted targets.
 */
export function causalLmLoss(logits: Value, labels: Value, ignoreIndex = -100): Value {
  const g = logits.graph;
  const [b, t, v] = logits.shape;
  const next = g.node(
    'Slice',
    [labels, g.ints([1], 'starts'), g.constant(BigInt64Array.of(INT64_MAX), 'int64', [1], 'ends'), g.ints([1], 'axes')],
    [{ dtype: 'int64', shape: [b, 'T_minus_1'] }],
  )[0]; // [B, T−1]
  const ignore = g.constant(BigInt64Array.of(BigInt(ignoreIndex)), 'int64', [], 'ignore_index');
  const shifted = g.node('Pad', [next, g.ints([0, 0, 0, 1], 'pads'), ignore], [{ dtype: 'int64', shape: [b, t] }])[0];
  return op.softmaxCrossEntropy(op.reshape(logits, [-1, v]), op.reshape(shifted, [-1]), ignoreIndex); // [B·T, V]
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
