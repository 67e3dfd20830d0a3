/**
 * Graph clean-up before serialisation: removes multiplications/divisions by the constant 1 (autodiff
 * seeds the loss gradient with 1, so every chain starts with some), folds Shape of fully static
 * values and element-wise arithmetic on scalar constants into constants, and drops nodes and
 * initializers nothing uses. ORT optimises further; this keeps our own graphs small and readable.
 */
import { type Graph, type HostTensor, type Node, typedArrayOf, type Value } from './graph.ts';

function constValue(g: Graph, v: Value | null): HostTensor | undefined {
  return v ? g.initializers.get(v) : undefined;
}

function isScalarOne(g: Graph, v: Value | null): boolean {
  const t = constValue(g, v);
  return !!t && t.data.length === 1 && Number(t.data[0]) === 1;
}

const SCALAR_FOLD: Record<string, (a: number, b: number) => number> = {
  Add: (a, b) => a + b,
  Sub: (a, b) => a - b,
  Mul: (a, b) => a * b,
  Div: (a, b) => a / b,
};
const UNARY_FOLD: Record<string, (a: number) => number> = {
  Neg: (a) => -a,
  Sqrt: Math.sqrt,
  Reciprocal: (a) => 1 / a,
};

/** A replacement for a node's single output, or null to keep the node. */
function simplifyNode(g: Graph, n: Node): Value | HostTensor | null {
  const [a, b] = n.inputs;
  const out = n.outputs[0];
  const sameShape = (v: Value | null) => !!v && v.shape.join(',') === out.shape.join(',') && v.dtype === out.dtype;
  if (n.op === 'Mul' && isScalarOne(g, b) && sameShape(a)) return a;
  if (n.op === 'Mul' && isScalarOne(g, a) && sameShape(b)) return b;
  if (n.op === 'Div' && isScalarOne(g, b) && sameShape(a)) return a;
  if (n.op === 'Identity' && !g.outputs.includes(out)) return a;
  if (n.op === 'Shape' && a && a.shape.every((d) => typeof d === 'number')) {
    return { dtype: 'int64', dims: [a.shape.length], data: BigInt64Array.from((a.shape as number[]).map(BigInt)) };
  }
  const ta = constValue(g, a);
  const tb = constValue(g, b);
  const scalarFloat = (t?: HostTensor) =>
    !!t && t.data.length === 1 && (t.dtype === 'float32' || t.dtype === 'float64');
  if (
    SCALAR_FOLD[n.op] &&
    scalarFloat(ta) &&
    scalarFloat(tb) &&
    out.shape.length <= Math.max(ta!.dims.length, tb!.dims.length)
  ) {
    const x = SCALAR_FOLD[n.op](Number(ta!.data[0]), Number(tb!.data[0]));
    return { dtype: out.dtype, dims: out.shape as number[], data: typedArrayOf(out.dtype, [x]) };
  }
  if (UNARY_FOLD[n.op] && scalarFloat(ta)) {
    return { dtype: out.dtype, dims: ta!.dims, data: typedArrayOf(out.dtype, [UNARY_FOLD[n.op](Number(ta!.data[0]))]) };
  }
  return null;
}

/** Simplifies `g` in place; returns the number of nodes removed. */
export function optimizeGraph(g: Graph): number {
  const before = g.nodes.length;
  const replaced = new Map<Value, Value>();
  const resolve = (v: Value | null) => {
    let r = v;
    while (r && replaced.has(r)) r = replaced.get(r)!;
    return r;
  };
  const kept: Node[] = [];
  for (const n of g.nodes) {
    n.inputs = n.inputs.map(resolve);
    const r = n.outputs.length === 1 ? simplifyNode(g, n) : null;
    if (r === null) {
      kept.push(n);
      continue;
    }
    const out = n.outputs[0];
    if ('graph' in r) {
      if (g.outputs.includes(out)) {
        kept.push(n);
        continue;
      }
      replaced.set(out, r);
    } else {
      // Turn the output into an initializer in place (keeps its name and every use valid).
      out.producer = undefined;
      g.initializers.set(out, r);
    }
  }
  // Dead-code elimination, walking back from the outputs.
  const used = new Set<Value>(g.outputs);
  const live: Node[] = [];
  for (let k = kept.length - 1; k >= 0; k--) {
    const n = kept[k];
    if (!n.outputs.some((o) => used.has(o))) continue;
    live.push(n);
    for (const i of n.inputs) if (i) used.add(i);
  }
  live.reverse();
  g.nodes.splice(0, g.nodes.length, ...live);
  for (const v of [...g.initializers.keys()]) if (!used.has(v)) g.initializers.delete(v);
  return before - g.nodes.length;
}
