/** Reductions over given axes (negative axes count from the end), with their gradient rules. */
import { defineGradient } from '../gradients.ts';
import type { Dim, Node, Value } from '../graph.ts';
import { cast, div, equal, mul } from './elementwise.ts';

function normAxes(x: Value, axes: number[]): number[] {
  return axes.map((a) => (a < 0 ? a + x.shape.length : a)).sort((p, q) => p - q);
}

function reducedShape(x: Value, axes: number[], keepdims: boolean): Dim[] {
  return keepdims ? x.shape.map((d, k) => (axes.includes(k) ? 1 : d)) : x.shape.filter((_, k) => !axes.includes(k));
}

/** Sum over `axes` (opset 13+: axes as an input). */
export function reduceSum(x: Value, axes: number[], keepdims = false): Value {
  const ax = normAxes(x, axes);
  const g = x.graph;
  return g.node('ReduceSum', [x, g.ints(ax, 'axes')], [{ dtype: x.dtype, shape: reducedShape(x, ax, keepdims) }], {
    keepdims: keepdims ? 1 : 0,
  })[0];
}

/** Mean over `axes` (opset 17: axes as an attribute). */
export function reduceMean(x: Value, axes: number[], keepdims = false): Value {
  const ax = normAxes(x, axes);
  return x.graph.node('ReduceMean', [x], [{ dtype: x.dtype, shape: reducedShape(x, ax, keepdims) }], {
    axes: ax,
    keepdims: keepdims ? 1 : 0,
  })[0];
}

export function reduceMax(x: Value, axes: number[], keepdims = false): Value {
  const ax = normAxes(x, axes);
  return x.graph.node('ReduceMax', [x], [{ dtype: x.dtype, shape: reducedShape(x, ax, keepdims) }], {
    axes: ax,
    keepdims: keepdims ? 1 : 0,
  })[0];
}

/** Broadcasts a reduced gradient back over the reduced axes of `x`. */
function expandBack(dy: Value, x: Value, axes: number[], keepdims: boolean): Value {
  const g = x.graph;
  let d = dy;
  if (!keepdims) {
    d = g.node('Unsqueeze', [dy, g.ints(axes, 'axes')], [{ dtype: dy.dtype, shape: reducedShape(x, axes, true) }])[0];
  }
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  return g.node('Expand', [d, shape], [{ dtype: dy.dtype, shape: x.shape }])[0];
}

function axesOf(n: Node): number[] {
  if (n.op === 'ReduceSum') {
    const t = n.inputs[0]!.graph.initializers.get(n.inputs[1]!);
    return Array.from(t!.data as BigInt64Array, Number);
  }
  return n.attrs.axes as number[];
}

/** Number of elements reduced: a number when static, else a float scalar computed from Shape(x). */
function reducedCount(x: Value, axes: number[]): number | Value {
  if (axes.every((a) => typeof x.shape[a] === 'number')) return axes.reduce((p, a) => p * (x.shape[a] as number), 1);
  const g = x.graph;
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  const dims = g.node('Gather', [shape, g.ints(axes, 'axes')], [{ dtype: 'int64', shape: [axes.length] }], {
    axis: 0,
  })[0];
  const count = g.node('ReduceProd', [dims], [{ dtype: 'int64', shape: [] }], { keepdims: 0 })[0];
  return cast(count, x.dtype);
}

defineGradient('ReduceSum', (n, [dy]) => {
  const node = n as Node;
  const x = node.inputs[0]!;
  return [expandBack(dy!, x, axesOf(node), node.attrs.keepdims === 1), null];
});
defineGradient('ReduceMean', (n, [dy]) => {
  const node = n as Node;
  const x = node.inputs[0]!;
  const axes = axesOf(node);
  return [expandBack(div(dy!, reducedCount(x, axes)), x, axes, node.attrs.keepdims === 1)];
});
defineGradient('ReduceMax', (n, [dy]) => {
  const node = n as Node;
  const x = node.inputs[0]!;
  const axes = axesOf(node);
  const keep = node.attrs.keepdims === 1;
  const y = node.outputs[0];
  const yk = keep
    ? y
    : x.graph.node(
        'Unsqueeze',
        [y, x.graph.ints(axes, 'axes')],
        [{ dtype: y.dtype, shape: reducedShape(x, axes, true) }],
      )[0];
  // Tied maxima share dy evenly (as torch.amax): giving each the whole dy would count it twice.
  const isMax = cast(equal(x, yk), x.dtype);
  const ties = reduceSum(isMax, axes, keep);
  return [mul(isMax, expandBack(div(dy!, ties), x, axes, keep))];
});
