/**
 * Layer-level graph builders the model files share: a torch-layout linear layer, splitting and
 * merging attention heads, position ids, and parameter declaration. Shapes: B batch, T time,
 * C channels, H heads, D head dim.
 */
import type { Graph, HostTensor, Value } from '../graph/graph.ts';
import { add, matmul, reshape, transpose } from '../graph/ops/index.ts';
import type { ParamGroup } from '../graph/optimizer.ts';
import { Rng } from '../random.ts';

export type FloatDType = 'float32' | 'float64';

/** y = x·Wᵀ (+ b) with W stored [out, in] as in torch.nn.Linear / Hugging Face checkpoints. */
export function linear(x: Value, weight: Value, bias: Value | null = null): Value {
  const y = matmul(x, transpose(weight, [1, 0])); // [.., in] @ [in, out] → [.., out]
  return bias ? add(y, bias) : y;
}

/** [B, T, H·D] → [B, H, T, D]. */
export function splitHeads(x: Value, heads: number, headDim: number): Value {
  const [b, t] = x.shape;
  return transpose(reshape(x, [b, t, heads, headDim]), [0, 2, 1, 3]);
}

/** [B, H, T, D] → [B, T, H·D]. */
export function mergeHeads(x: Value): Value {
  const [b, h, t, d] = x.shape;
  return reshape(transpose(x, [0, 2, 1, 3]), [b, t, (h as number) * (d as number)]);
}

/** Positions 0…T−1 as int64 [1, T] for the time axis (axis 1) of `ids` [B, T] (T may be symbolic). */
export function positionIds(ids: Value): Value {
  const g = ids.graph;
  const shape = g.node('Shape', [ids], [{ dtype: 'int64', shape: [ids.shape.length] }])[0];
  const axis = g.constant(BigInt64Array.of(1n), 'int64', [], 'time_axis');
  const len = g.node('Gather', [shape, axis], [{ dtype: 'int64', shape: [] }], { axis: 0 })[0];
  const zero = g.constant(BigInt64Array.of(0n), 'int64', [], 'i0');
  const one = g.constant(BigInt64Array.of(1n), 'int64', [], 'i1');
  const pos = g.node('Range', [zero, len, one], [{ dtype: 'int64', shape: [ids.shape[1]] }])[0];
  return reshape(pos, [1, ids.shape[1]]);
}

/** How a parameter's initial values are drawn. */
export type ParamInit = { kind: 'normal'; std: number; zeroRows?: number[] } | { kind: 'constant'; value: number };

export interface ParamSpec {
  /** Checkpoint key. */
  name: string;
  dims: number[];
  /** Matrices and embeddings decay; norms and biases do not. */
  decay: boolean;
  init: ParamInit;
}

/** Declares each parameter as a graph input named by its checkpoint key. */
export function declareParams(g: Graph, specs: ParamSpec[], dtype: FloatDType): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const s of specs) {
    const v = g.input(s.name, dtype, s.dims);
    if (v.name !== s.name) throw new Error(`parameter name ${s.name} is already taken in graph ${g.name}`);
    out[s.name] = v;
  }
  return out;
}

/** Optimizer groups: weight decay on matrices/embeddings, none on norms and biases. */
export function paramGroups(
  specs: ParamSpec[],
  params: Record<string, Value>,
  weightDecay: number,
): { value: Value; group: ParamGroup }[] {
  const decay: ParamGroup = { name: 'decay', weightDecay };
  const noDecay: ParamGroup = { name: 'no_decay', weightDecay: 0 };
  return specs.map((s) => ({ value: params[s.name], group: s.decay ? decay : noDecay }));
}

/**
 * Deterministic initial values: each tensor draws from its own stream `new Rng(seed).fork(name)`,
 * so adding or reordering parameters never changes the others.
 */
export function initParams(specs: ParamSpec[], seed: number, dtype: FloatDType): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const s of specs) {
    const n = s.dims.reduce((p, d) => p * d, 1);
    const data = dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    if (s.init.kind === 'constant') data.fill(s.init.value);
    else {
      const rng = new Rng(seed).fork(s.name);
      for (let k = 0; k < n; k++) data[k] = rng.normal() * s.init.std;
      const rowLen = n / s.dims[0];
      for (const r of s.init.zeroRows ?? []) data.fill(0, r * rowLen, (r + 1) * rowLen);
    }
    out.set(s.name, { dtype, dims: [...s.dims], data });
  }
  return out;
}
