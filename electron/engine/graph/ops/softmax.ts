/** Softmax and log-softmax over one axis (default: last), with their gradient rules. */
import { defineGradient } from '../gradients.ts';
import type { Node, Value } from '../graph.ts';
import { exp, mul, sub } from './elementwise.ts';
import { reduceSum } from './reduce.ts';

export function softmax(x: Value, axis = -1): Value {
  return x.graph.node('Softmax', [x], [{ dtype: x.dtype, shape: x.shape }], { axis })[0];
}

export function logSoftmax(x: Value, axis = -1): Value {
  return x.graph.node('LogSoftmax', [x], [{ dtype: x.dtype, shape: x.shape }], { axis })[0];
}

// dx = y * (dy - Σ dy·y)
defineGradient('Softmax', (n, [dy]) => {
  const node = n as Node;
  const y = node.outputs[0];
  const axis = node.attrs.axis as number;
  return [mul(y, sub(dy!, reduceSum(mul(dy!, y), [axis], true)))];
});
// dx = dy - softmax(x) · Σ dy
defineGradient('LogSoftmax', (n, [dy]) => {
  const node = n as Node;
  const axis = node.attrs.axis as number;
  return [sub(dy!, mul(exp(node.outputs[0]), reduceSum(dy!, [axis], true)))];
});
