/**
 * The one inference graph the Llama runtime runs, for prefill and decode alike: T new tokens per
 * row after P cached ones (prefill: P = 0 with empty past tensors; decode: T = 1). One graph, so
 * the frozen weights (initializers) are loaded into ORT once.
 *
 * Inputs:  input_ids int64 [B, T]; add_embeds [B, T, C] (added to the token embeddings);
 *          position_ids int64 [B, T] (each row counts from its first real token);
 *          attention_mask int64 [B, S] over past + new (0 = left padding), S = P + T;
 *          past.{i}.key / past.{i}.value [B, K, P, D] per layer (keys with RoPE applied).
 * Outputs: logits [B, V] at the last position; present.{i}.key / .value [B, K, S, D].
 */
import { Graph, type HostTensor, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import {
  buildLlamaHidden,
  type LlamaConfig,
  type LlamaKv,
  type LlamaParams,
  llamaHead,
  llamaHeadDim,
  llamaParamSpecs,
} from '../models/llama.ts';

/** Scalar int64 size of `x` along `axis`. */
function dimOf(x: Value, axis: number): Value {
  const g = x.graph;
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  return g.node(
    'Gather',
    [shape, g.constant(BigInt64Array.of(BigInt(axis)), 'int64', [], 'axis')],
    [{ dtype: 'int64', shape: [] }],
  )[0];
}

function range(start: Value, end: Value, dim: string): Value {
  const g = start.graph;
  return g.node('Range', [start, end, g.scalar(1, 'int64')], [{ dtype: 'int64', shape: [dim] }])[0];
}

/**
 * Additive mask [B, 1, T, S]: new token t sits at index P + t of the S keys and sees keys ≤ P + t
 * (causal), never padded ones.
 */
export function stepMask(ids: Value, attentionMask: Value): Value {
  const g = ids.graph;
  const t = dimOf(ids, 1);
  const s = dimOf(attentionMask, 1);
  const queries = op.reshape(range(op.sub(s, t), s, 'T'), ['T', 1]); // [T, 1]
  const keys = op.reshape(range(g.scalar(0, 'int64'), s, 'S'), [1, 'S']); // [1, S]
  const masked = g.scalar(op.MASKED, 'float32');
  const open = g.scalar(0, 'float32');
  const causal = op.where(op.less(queries, keys), masked, open); // [T, S]
  const padding = op.unsqueeze(op.where(op.equal(attentionMask, 0), masked, open), [1, 2]); // [B, 1, 1, S]
  return op.add(causal, padding); // [B, 1, T, S]
}

/** The step graph with `weights` (float32, HF keys) as initializers. */
export function buildLlamaStepGraph(cfg: LlamaConfig, weights: Map<string, HostTensor>): Graph {
  const g = new Graph('llama_step');
  const params: LlamaParams = {};
  for (const s of llamaParamSpecs(cfg)) {
    const t = weights.get(s.name);
    if (t?.dtype !== 'float32' || t.dims.join() !== s.dims.join())
      throw new Error(`llama step graph: weight ${s.name} must be float32 [${s.dims}]`);
    params[s.name] = g.initializer(s.name, t);
  }
  const d = llamaHeadDim(cfg);
  const ids = g.input('input_ids', 'int64', ['B', 'T']);
  const addEmbeds = g.input('add_embeds', 'float32', ['B', 'T', cfg.hidden]);
  const positions = g.input('position_ids', 'int64', ['B', 'T']);
  const attentionMask = g.input('attention_mask', 'int64', ['B', 'S']);
  const past: LlamaKv[] = [];
  for (let i = 0; i < cfg.layers; i++) {
    past.push({
      key: g.input(`past.${i}.key`, 'float32', ['B', cfg.kvHeads, 'P', d]),
      value: g.input(`past.${i}.value`, 'float32', ['B', cfg.kvHeads, 'P', d]),
    });
  }
  const mask = stepMask(ids, attentionMask); // [B, 1, T, S]
  const { hidden, presents } = buildLlamaHidden(cfg, params, ids, { addEmbeds, positions, mask, past }); // [B, T, C]
  const last = op.gather(hidden, g.constant(BigInt64Array.of(-1n), 'int64', [], 'last'), 1); // [B, C]
  g.output(llamaHead(cfg, params, last), 'logits'); // [B, V]
  presents.forEach((kv, i) => {
    g.output(kv.key, `present.${i}.key`); // [B, K, S, D]
    g.output(kv.value, `present.${i}.value`);
  });
  return g;
}
