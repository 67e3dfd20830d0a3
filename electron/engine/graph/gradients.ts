/**
 * Registry of per-op gradient rules (each rule is defined beside its forward builder in ops/) and
 * the helpers rules share: reducing a broadcast gradient back to an input's shape.
 */
import type { Dim, GradientRule, Node, Shape, Value } from './graph.ts';

const RULES = new Map<string, GradientRule>();

/** Registers the gradient rule of an ONNX op type ('' domain unless given as 'domain:Op'). */
export function defineGradient(op: string, rule: GradientRule): void {
  RULES.set(op, rule);
}

export function gradientRule(node: Node): GradientRule | undefined {
  return RULES.get(node.domain ? `${node.domain}:${node.op}` : node.op);
}

export function sameDim(a: Dim, b: Dim): boolean {
  return a === b;
}

/** NumPy broadcasting of two static/symbolic shapes. */
export function broadcastShapes(a: Shape, b: Shape, what = 'broadcast'): Shape {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let k = 0; k < n; k++) {
    const da = a[a.length - n + k] ?? 1;
    const db = b[b.length - n + k] ?? 1;
    if (da === 1) out.push(db);
    else if (db === 1 || sameDim(da, db)) out.push(da);
    else if (typeof da === 'string' || typeof db === 'string') out.push(typeof da === 'number' ? da : db);
    else throw new Error(`${what}: shapes [${a}] and [${b}] do not broadcast`);
  }
  return out;
}

/**
 * Sums a gradient of shape `from` down to `to` (the input's shape before broadcasting): reduces the
 * extra leading axes and the axes where `to` has size 1, then reshapes to `to`'s rank.
 */
export function reduceToShape(grad: Value, to: Shape, like: Value): Value {
  const from = grad.shape;
  if (from.length === to.length && from.every((d, k) => sameDim(d, to[k]))) return grad;
  const lead = from.length - to.length;
  const axes: number[] = [];
  for (let k = 0; k < from.length; k++) {
    if (k < lead) axes.push(k);
    else if (to[k - lead] === 1 && from[k] !== 1) axes.push(k);
  }
  const g = grad.graph;
  let r = grad;
  if (axes.length > 0) {
    const shape = from.map((d, k) => (axes.includes(k) ? 1 : d));
    r = g.node('ReduceSum', [grad, g.ints(axes, 'axes')], [{ dtype: grad.dtype, shape }], { keepdims: 1 })[0];
  }
  if (lead > 0 || r.shape.length !== to.length) r = reshapeLike(r, to, like);
  return r;
}

/** Reshape to `to`; uses a constant target when static, else the runtime shape of `like`. */
export function reshapeLike(x: Value, to: Shape, like: Value): Value {
  const g = x.graph;
  const target = to.every((d) => typeof d === 'number')
    ? g.ints(to as number[], 'shape')
    : g.node('Shape', [like], [{ dtype: 'int64', shape: [to.length] }])[0];
  return g.node('Reshape', [x, target], [{ dtype: x.dtype, shape: to }])[0];
}
