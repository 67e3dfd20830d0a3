/** Shape and indexing ops: reshape, transpose, concat, slice, split, expand, (un)squeeze, gather. */
import { broadcastShapes, defineGradient, reduceToShape, reshapeLike } from '../gradients.ts';
import type { Dim, DType, Node, Shape, Value } from '../graph.ts';
import { cast } from './elementwise.ts';

const symbolicCounters = new WeakMap<object, number>();
/** A fresh symbolic dim name, numbered per graph so identical builds name dims identically. */
function freshDim(x: Value, prefix: string): string {
  const k = symbolicCounters.get(x.graph) ?? 0;
  symbolicCounters.set(x.graph, k + 1);
  return `${prefix}${k}`;
}

/**
 * Reshape. `to` may hold numbers, -1 (inferred) and symbolic names; a symbolic name equal to the
 * input's dim at the same index is copied (ONNX 0), any other becomes the single -1.
 */
export function reshape(x: Value, to: Shape): Value {
  const g = x.graph;
  const spec: number[] = to.map((d, k) => {
    if (typeof d === 'number') return d;
    return x.shape[k] === d ? 0 : -1;
  });
  if (spec.filter((d) => d === -1).length > 1)
    throw new Error(`reshape [${x.shape}] → [${to}]: more than one inferred dim`);
  const staticIn = x.shape.every((d) => typeof d === 'number');
  const outShape: Dim[] = to.map((d) => d);
  const inferred = spec.indexOf(-1);
  if (inferred >= 0 && typeof to[inferred] === 'number') {
    const known = spec.reduce((p, d, k) => (k === inferred ? p : p * (d === 0 ? (x.shape[k] as number) : d)), 1);
    const all = x.shape.every((d) => typeof d === 'number') ? (x.shape as number[]).reduce((p, d) => p * d, 1) : NaN;
    outShape[inferred] =
      staticIn && spec.every((d, k) => d !== 0 || typeof x.shape[k] === 'number') ? all / known : freshDim(x, 'r');
  }
  return g.node('Reshape', [x, g.ints(spec, 'shape')], [{ dtype: x.dtype, shape: outShape }])[0];
}

export function transpose(x: Value, perm: number[]): Value {
  return x.graph.node('Transpose', [x], [{ dtype: x.dtype, shape: perm.map((p) => x.shape[p]) }], { perm })[0];
}

export function concat(xs: Value[], axis: number): Value {
  const a = axis < 0 ? axis + xs[0].shape.length : axis;
  const shape = [...xs[0].shape];
  const sizes = xs.map((x) => x.shape[a]);
  shape[a] = sizes.every((s) => typeof s === 'number')
    ? (sizes as number[]).reduce((p, s) => p + s, 0)
    : freshDim(xs[0], 'concat');
  return xs[0].graph.node('Concat', xs, [{ dtype: xs[0].dtype, shape }], { axis: a })[0];
}

/** Slice with step 1 along `axes` from `starts` to `ends` (ends clamp like Python). */
export function slice(x: Value, starts: number[], ends: number[], axes: number[]): Value {
  const g = x.graph;
  const shape = [...x.shape];
  axes.forEach((ax, k) => {
    const a = ax < 0 ? ax + x.shape.length : ax;
    const d = x.shape[a];
    if (typeof d !== 'number') throw new Error('slice: sliced axes must have a static size');
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    shape[a] = Math.max(0, clamp(ends[k]) - clamp(starts[k]));
  });
  return g.node(
    'Slice',
    [x, g.ints(starts, 'starts'), g.ints(ends, 'ends'), g.ints(axes, 'axes')],
    [{ dtype: x.dtype, shape }],
  )[0];
}

export function split(x: Value, axis: number, sizes: number[]): Value[] {
  const g = x.graph;
  const a = axis < 0 ? axis + x.shape.length : axis;
  const outs = sizes.map((s) => ({ dtype: x.dtype, shape: x.shape.map((d, k) => (k === a ? s : d)) }));
  return g.node('Split', [x, g.ints(sizes, 'split')], outs, { axis: a });
}

/** Broadcast to `shape`; a symbolic dim in `shape` must already be x's (it is passed as 1, keeping x's size). */
export function expand(x: Value, shape: Shape): Value {
  const g = x.graph;
  const out = broadcastShapes(x.shape, shape, 'Expand');
  const lead = shape.length - x.shape.length;
  const target = shape.map((d, k) => {
    if (typeof d === 'number') return d;
    const own = x.shape[k - lead];
    if (own === undefined || own === 1) throw new Error(`expand [${x.shape}] → [${shape}]: cannot grow to '${d}'`);
    return 1;
  });
  return g.node('Expand', [x, g.ints(target, 'shape')], [{ dtype: x.dtype, shape: out }])[0];
}

export function unsqueeze(x: Value, axes: number[]): Value {
  const rank = x.shape.length + axes.length;
  const ax = axes.map((a) => (a < 0 ? a + rank : a));
  const shape: Dim[] = [];
  let src = 0;
  for (let k = 0; k < rank; k++) shape.push(ax.includes(k) ? 1 : x.shape[src++]);
  return x.graph.node('Unsqueeze', [x, x.graph.ints(ax, 'axes')], [{ dtype: x.dtype, shape }])[0];
}

export function squeeze(x: Value, axes: number[]): Value {
  const ax = axes.map((a) => (a < 0 ? a + x.shape.length : a));
  const shape = x.shape.filter((_, k) => !ax.includes(k));
  return x.graph.node('Squeeze', [x, x.graph.ints(ax, 'axes')], [{ dtype: x.dtype, shape }])[0];
}

/** Embedding lookup: rows of `table` [V, ...] at int64 `indices` → [...indices, ...]. */
export function gather(table: Value, indices: Value, axis = 0): Value {
  const shape = [...table.shape.slice(0, axis), ...indices.shape, ...table.shape.slice(axis + 1)];
  return table.graph.node('Gather', [table, indices], [{ dtype: table.dtype, shape }], { axis })[0];
}

/** One-hot rows [...indices, depth] of int64 `indices` (negative ones count from the end). */
export function oneHot(indices: Value, depth: number, dtype: DType): Value {
  const g = indices.graph;
  // ORT's CPU OneHot has no float64 (or float16) output kernel: build float32, then cast.
  const oh = g.node(
    'OneHot',
    [indices, g.ints([depth], 'depth'), g.constant(Float32Array.of(0, 1), 'float32', [2], 'onehot_values')],
    [{ dtype: 'float32', shape: [...indices.shape, depth] }],
    { axis: -1 },
  )[0];
  return cast(oh, dtype);
}

/** How the gradient of an embedding lookup is formed (see bench/train-step for the measurement). */
export const gatherGradient = { mode: 'scatter' as 'scatter' | 'onehot' };

const first = (n: Node) => n.inputs[0]!;

defineGradient('Reshape', (n, [dy]) => [reshapeLike(dy!, first(n as Node).shape, first(n as Node)), null]);
defineGradient('Unsqueeze', (n, [dy]) => [reshapeLike(dy!, first(n as Node).shape, first(n as Node)), null]);
defineGradient('Squeeze', (n, [dy]) => [reshapeLike(dy!, first(n as Node).shape, first(n as Node)), null]);
defineGradient('Transpose', (n, [dy]) => {
  const perm = (n as Node).attrs.perm as number[];
  const inv = perm.map((_, k) => perm.indexOf(k));
  return [transpose(dy!, inv)];
});
defineGradient('Expand', (n, [dy]) => [reduceToShape(dy!, first(n as Node).shape, first(n as Node)), null]);
defineGradient('Concat', (n, [dy]) => {
  const node = n as Node;
  const axis = node.attrs.axis as number;
  let at = 0;
  return node.inputs.map((x) => {
    const size = x!.shape[axis];
    if (typeof size !== 'number') throw new Error('Concat gradient needs static sizes on the axis');
    const part = slice(dy!, [at], [at + size], [axis]);
    at += size;
    return part;
  });
});
defineGradient('Slice', (n, [dy]) => {
  const node = n as Node;
  const x = first(node);
  const g = x.graph;
  const init = (k: number) => Array.from(g.initializers.get(node.inputs[k]!)!.data as BigInt64Array, Number);
  const [starts, ends, axes] = [init(1), init(2), init(3)];
  const pads = new Array(2 * x.shape.length).fill(0);
  axes.forEach((ax, k) => {
    const a = ax < 0 ? ax + x.shape.length : ax;
    const d = x.shape[a] as number;
    const s = Math.min(Math.max(starts[k] < 0 ? starts[k] + d : starts[k], 0), d);
    const e = Math.min(Math.max(ends[k] < 0 ? ends[k] + d : ends[k], 0), d);
    pads[a] = s;
    pads[a + x.shape.length] = d - e;
  });
  const padded = g.node('Pad', [dy!, g.ints(pads, 'pads')], [{ dtype: dy!.dtype, shape: x.shape }])[0];
  return [padded, null, null, null];
});
defineGradient('Split', (n, dys) => {
  const node = n as Node;
  const g = first(node).graph;
  const parts = dys.map((d, k) => {
    if (d) return d;
    const o = node.outputs[k];
    const shape = g.node('Shape', [o], [{ dtype: 'int64', shape: [o.shape.length] }])[0];
    return g.node('ConstantOfShape', [shape], [{ dtype: o.dtype, shape: o.shape }], {
      value: { dtype: o.dtype, dims: [1], data: o.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1) },
    })[0];
  });
  return [concat(parts, node.attrs.axis as number), null];
});
defineGradient('Gather', (n, [dy]) => {
  const node = n as Node;
  const [table, indices] = [node.inputs[0]!, node.inputs[1]!];
  if ((node.attrs.axis ?? 0) !== 0) throw new Error('Gather gradient: only axis 0 is supported');
  const g = table.graph;
  const rowShape = table.shape.slice(1);
  const rows = reshape(dy!, [-1, ...rowShape]);
  const flatIdx = reshape(indices, [-1]);
  if (gatherGradient.mode === 'onehot') {
    const depth = table.shape[0] as number;
    const oh = oneHot(flatIdx, depth, dy!.dtype);
    const ohT = transpose(oh, [1, 0]);
    const flatRows = reshape(rows, [rows.shape[0], -1]);
    const out = g.node('MatMul', [ohT, flatRows], [{ dtype: dy!.dtype, shape: [depth, flatRows.shape[1]] }])[0];
    return [reshapeLike(out, table.shape, table), null];
  }
  const zeros = g.node(
    'ConstantOfShape',
    [g.ints(table.shape as number[], 'shape')],
    [{ dtype: table.dtype, shape: table.shape }],
    {
      value: {
        dtype: table.dtype,
        dims: [1],
        data: table.dtype === 'float64' ? new Float64Array(1) : new Float32Array(1),
      },
    },
  )[0];
  const idx = reshape(flatIdx, [-1, 1]);
  const grad = g.node('ScatterND', [zeros, idx, rows], [{ dtype: table.dtype, shape: table.shape }], {
    reduction: 'add',
  })[0];
  return [grad, null];
});
