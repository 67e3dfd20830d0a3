/**
 * Element-wise ops with NumPy broadcasting, each with its gradient rule beside it. Binary ops accept
 * a number for either side (a cached scalar constant of the other side's dtype).
 */
import { broadcastShapes, defineGradient, reduceToShape } from '../gradients.ts';
import type { DType, Node, Value } from '../graph.ts';

export type Operand = Value | number;

function graphOf(a: Operand, b: Operand) {
  if (typeof a !== 'number') return a.graph;
  if (typeof b !== 'number') return b.graph;
  throw new Error('at least one operand must be a graph value');
}

function asValue(x: Operand, like: Value): Value {
  return typeof x === 'number' ? like.graph.scalar(x, like.dtype) : x;
}

function binary(op: string, a: Operand, b: Operand): Value {
  const g = graphOf(a, b);
  const like = typeof a === 'number' ? (b as Value) : a;
  const va = asValue(a, like);
  const vb = asValue(b, like);
  if (va.dtype !== vb.dtype) throw new Error(`${op}: dtypes ${va.dtype} and ${vb.dtype} differ`);
  const shape = broadcastShapes(va.shape, vb.shape, op);
  return g.node(op, [va, vb], [{ dtype: va.dtype, shape }])[0];
}

function unary(op: string, x: Value, attrs = {}): Value {
  return x.graph.node(op, [x], [{ dtype: x.dtype, shape: x.shape }], attrs)[0];
}

export const add = (a: Operand, b: Operand) => binary('Add', a, b);
export const sub = (a: Operand, b: Operand) => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand) => binary('Mul', a, b);
export const div = (a: Operand, b: Operand) => binary('Div', a, b);
export const neg = (x: Value) => unary('Neg', x);
export const exp = (x: Value) => unary('Exp', x);
export const log = (x: Value) => unary('Log', x);
export const sqrt = (x: Value) => unary('Sqrt', x);
export const reciprocal = (x: Value) => unary('Reciprocal', x);
export const sigmoid = (x: Value) => unary('Sigmoid', x);
export const tanh = (x: Value) => unary('Tanh', x);
export const relu = (x: Value) => unary('Relu', x);
export const erf = (x: Value) => unary('Erf', x);
export const abs = (x: Value) => unary('Abs', x);
export const identity = (x: Value) => unary('Identity', x);

/** x ** c for a constant exponent c. */
export const pow = (x: Value, c: number) => binary('Pow', x, c);

function compare(op: string, a: Operand, b: Operand): Value {
  const like = typeof a === 'number' ? (b as Value) : a;
  const va = asValue(a, like);
  const vb = asValue(b, like);
  return like.graph.node(op, [va, vb], [{ dtype: 'bool', shape: broadcastShapes(va.shape, vb.shape, op) }])[0];
}
export const greater = (a: Operand, b: Operand) => compare('Greater', a, b);
export const less = (a: Operand, b: Operand) => compare('Less', a, b);
export const equal = (a: Operand, b: Operand) => compare('Equal', a, b);
export const not = (x: Value) => x.graph.node('Not', [x], [{ dtype: 'bool', shape: x.shape }])[0];

export function cast(x: Value, to: DType): Value {
  if (x.dtype === to) return x;
  return x.graph.node('Cast', [x], [{ dtype: to, shape: x.shape }], { to: onnxTypeCode(to) })[0];
}

/** where(cond, a, b): a where cond is true, else b (broadcasting). */
export function where(cond: Value, a: Operand, b: Operand): Value {
  const like = typeof a === 'number' ? (b as Value) : a;
  const va = asValue(a, like);
  const vb = asValue(b, like);
  const shape = broadcastShapes(cond.shape, broadcastShapes(va.shape, vb.shape, 'Where'), 'Where');
  return cond.graph.node('Where', [cond, va, vb], [{ dtype: va.dtype, shape }])[0];
}

export function onnxTypeCode(t: DType): number {
  return { float32: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11 }[t];
}

const isFloat = (v: Value | null) =>
  v !== null && (v.dtype === 'float32' || v.dtype === 'float64' || v.dtype === 'float16');
const inp = (n: Node, k: number) => n.inputs[k] as Value;
const out = (n: Node) => n.outputs[0];
/** Gradient for input k only when it is a float (ints and bools have none). */
const forFloat = (n: Node, k: number, f: () => Value) =>
  isFloat(n.inputs[k]) ? reduceToShape(f(), inp(n, k).shape, inp(n, k)) : null;

defineGradient('Add', (n, [dy]) => [forFloat(n as Node, 0, () => dy!), forFloat(n as Node, 1, () => dy!)]);
defineGradient('Sub', (n, [dy]) => [forFloat(n as Node, 0, () => dy!), forFloat(n as Node, 1, () => neg(dy!))]);
defineGradient('Mul', (n, [dy]) => {
  const node = n as Node;
  return [forFloat(node, 0, () => mul(dy!, inp(node, 1))), forFloat(node, 1, () => mul(dy!, inp(node, 0)))];
});
defineGradient('Div', (n, [dy]) => {
  const node = n as Node;
  const da = div(dy!, inp(node, 1));
  return [forFloat(node, 0, () => da), forFloat(node, 1, () => neg(mul(da, out(node))))];
});
defineGradient('Neg', (_n, [dy]) => [neg(dy!)]);
defineGradient('Identity', (_n, [dy]) => [dy]);
defineGradient('Exp', (n, [dy]) => [mul(dy!, out(n as Node))]);
defineGradient('Log', (n, [dy]) => [div(dy!, inp(n as Node, 0))]);
defineGradient('Sqrt', (n, [dy]) => [div(mul(dy!, 0.5), out(n as Node))]);
defineGradient('Reciprocal', (n, [dy]) => {
  const y = out(n as Node);
  return [neg(mul(dy!, mul(y, y)))];
});
defineGradient('Pow', (n, [dy]) => {
  const node = n as Node;
  const c = constantScalar(inp(node, 1));
  if (c === null) throw new Error('Pow: only a constant scalar exponent is differentiable');
  const x = inp(node, 0);
  const dx = c === 2 ? mul(dy!, mul(x, 2)) : mul(dy!, mul(pow(x, c - 1), c));
  return [dx, null];
});
defineGradient('Sigmoid', (n, [dy]) => {
  const y = out(n as Node);
  return [mul(dy!, mul(y, sub(1, y)))];
});
defineGradient('Tanh', (n, [dy]) => {
  const y = out(n as Node);
  return [mul(dy!, sub(1, mul(y, y)))];
});
defineGradient('Relu', (n, [dy]) => [where(greater(inp(n as Node, 0), 0), dy!, 0)]);
defineGradient('Abs', (n, [dy]) => {
  const x = inp(n as Node, 0);
  return [mul(dy!, x.graph.node('Sign', [x], [{ dtype: x.dtype, shape: x.shape }])[0])];
});
defineGradient('Erf', (n, [dy]) => {
  const x = inp(n as Node, 0);
  return [mul(dy!, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))];
});
defineGradient('Where', (n, [dy]) => {
  const node = n as Node;
  const c = inp(node, 0);
  return [null, forFloat(node, 1, () => where(c, dy!, 0)), forFloat(node, 2, () => where(c, 0, dy!))];
});
defineGradient('Cast', (n, [dy]) => {
  const x = inp(n as Node, 0);
  return [isFloat(x) ? cast(dy!, x.dtype) : null];
});

/** The value of a rank-0/size-1 float constant, or null when `v` is not one. */
export function constantScalar(v: Value): number | null {
  const t = v.graph.initializers.get(v);
  if (t?.data.length !== 1 || typeof t.data[0] !== 'number') return null;
  return t.data[0] as number;
}
