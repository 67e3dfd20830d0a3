/** Batched matrix multiply with broadcasting batch dims; [.., M, K] @ [.., K, N] → [.., M, N]. */
import { broadcastShapes, defineGradient, reduceToShape } from '../gradients.ts';
import type { Node, Value } from '../graph.ts';
import { reshape, transpose } from './shape.ts';

export function matmul(a: Value, b: Value): Value {
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error('matmul: operands must have rank ≥ 2');
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul');
  const shape = [...batch, a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]];
  return a.graph.node('MatMul', [a, b], [{ dtype: a.dtype, shape }])[0];
}

/** Swaps the last two axes. */
export function transposeLast2(x: Value): Value {
  const r = x.shape.length;
  const perm = [...Array(r).keys()];
  perm[r - 2] = r - 1;
  perm[r - 1] = r - 2;
  return transpose(x, perm);
}

defineGradient('MatMul', (n, [dy]) => {
  const node = n as Node;
  const a = node.inputs[0]!;
  const b = node.inputs[1]!;
  const da = reduceToShape(matmul(dy!, transposeLast2(b)), a.shape, a);
  let db: Value;
  if (b.shape.length === 2 && a.shape.length > 2) {
    // Linear layer: fold the batch dims into rows instead of a [batch, K, N] temporary + reduce.
    const k = a.shape[a.shape.length - 1];
    const nOut = dy!.shape[dy!.shape.length - 1];
    db = matmul(transposeLast2(reshape(a, [-1, k])), reshape(dy!, [-1, nOut]));
  } else {
    db = reduceToShape(matmul(transposeLast2(a), dy!), b.shape, b);
  }
  return [da, db];
});
