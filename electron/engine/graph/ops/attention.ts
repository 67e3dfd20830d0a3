/**
 * Scaled dot-product attention with a fused backward rule, and the masks it takes.
 *   q [B, H, T, D], k/v [B, H, S, D], mask additive, broadcastable to [B, H, T, S] → [B, H, T, D]
 * Backward from the saved probabilities P (the usual closed form):
 *   dV = Pᵀ·dO;  dP = dO·Vᵀ;  dS = P ∘ (dP − Σ_s dP∘P);  dQ = dS·K·scale;  dK = dSᵀ·Q·scale;  dMask = dS
 */
import { reduceToShape } from '../gradients.ts';
import type { Composite, Value } from '../graph.ts';
import { add, cast, equal, less, mul, sub, where } from './elementwise.ts';
import { matmul, transposeLast2 } from './matmul.ts';
import { reduceSum } from './reduce.ts';
import { reshape, unsqueeze } from './shape.ts';
import { softmax } from './softmax.ts';

/** Large negative logit for masked positions (finite, so fully masked rows stay NaN-free). */
export const MASKED = -1e9;

export function attention(q: Value, k: Value, v: Value, mask: Value | null, scale: number): Value {
  const g = q.graph;
  return g.composite(
    'Attention',
    [q, k, v, mask],
    () => {
      let s = mul(matmul(q, transposeLast2(k)), scale);
      if (mask) s = add(s, mask);
      const p = softmax(s, -1);
      return { outputs: [matmul(p, v)], saved: { p } };
    },
    (c, [dO]) => {
      const p = (c as Composite).saved.p;
      const dv = reduceToShape(matmul(transposeLast2(p), dO!), v.shape, v);
      const dp = matmul(dO!, transposeLast2(v));
      const ds = mul(p, sub(dp, reduceSum(mul(dp, p), [-1], true)));
      const dq = reduceToShape(mul(matmul(ds, k), scale), q.shape, q);
      const dk = reduceToShape(mul(matmul(transposeLast2(ds), q), scale), k.shape, k);
      // A learned additive bias (e.g. relative positions) gets dS; a constant mask's is dropped unused.
      return [dq, dk, dv, mask ? reduceToShape(ds, mask.shape, mask) : null];
    },
  )[0];
}

/** 0 / MASKED causal mask [T, T] for the sequence axis `axis` of `x` (T may be symbolic). */
export function causalMask(x: Value, axis: number): Value {
  const g = x.graph;
  const dt = x.dtype === 'float64' ? 'float64' : 'float32';
  const t = x.shape[axis];
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  const len = g.node(
    'Gather',
    [shape, g.constant(BigInt64Array.of(BigInt(axis)), 'int64', [], 'axis')],
    [{ dtype: 'int64', shape: [] }],
    { axis: 0 },
  )[0];
  const zero = g.constant(BigInt64Array.of(0n), 'int64', [], 'i0');
  const one = g.constant(BigInt64Array.of(1n), 'int64', [], 'i1');
  const pos = g.node('Range', [zero, len, one], [{ dtype: 'int64', shape: [t] }])[0];
  const future = less(reshape(pos, [t, 1]), reshape(pos, [1, t])); // col > row
  return where(future, g.scalar(MASKED, dt), g.scalar(0, dt));
}

/** Additive key-padding mask [B, 1, 1, S] from int64 ids [B, S]: MASKED where id == padId. */
export function paddingMask(ids: Value, padId: number, dtype: 'float32' | 'float64' = 'float32'): Value {
  const g = ids.graph;
  const isPad = equal(ids, g.constant(BigInt64Array.of(BigInt(padId)), 'int64', [], 'pad_id'));
  return unsqueeze(where(isPad, g.scalar(MASKED, dtype), g.scalar(0, dtype)), [1, 2]);
}

/** 1.0 / 0.0 float mask of non-padding positions, [B, S] (e.g. to zero padded outputs). */
export function keepMask(ids: Value, padId: number, dtype: 'float32' | 'float64' = 'float32'): Value {
  const g = ids.graph;
  return sub(1, cast(equal(ids, g.constant(BigInt64Array.of(BigInt(padId)), 'int64', [], 'pad_id')), dtype));
}
