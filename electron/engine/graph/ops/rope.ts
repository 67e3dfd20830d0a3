/**
 * Rotary position embedding, Hugging Face "rotate half" layout: x·cos + rotate_half(x)·sin with
 * rotate_half([x1, x2]) = [−x2, x1] on the last axis. cos/sin tables are host-computed constants
 * [maxPositions, D] gathered by position ids, so the gradient flows through Mul/Concat/Slice only.
 */
import type { Graph, Value } from '../graph.ts';
import { add, mul, neg } from './elementwise.ts';
import { concat, gather, slice, unsqueeze } from './shape.ts';

export interface RopeTables {
  cos: Value;
  sin: Value;
}

/** Inverse frequencies θ^(−2i/D), optionally rescaled (Llama-3 style scaling is applied by the caller). */
export function ropeInverseFrequencies(headDim: number, theta: number): Float64Array {
  const half = headDim / 2;
  return Float64Array.from({ length: half }, (_, i) => theta ** (-(2 * i) / headDim));
}

export function ropeTables(
  g: Graph,
  invFreq: Float64Array,
  maxPositions: number,
  dtype: 'float32' | 'float64',
): RopeTables {
  const d = invFreq.length * 2;
  const Arr = dtype === 'float64' ? Float64Array : Float32Array;
  const cos = new Arr(maxPositions * d);
  const sin = new Arr(maxPositions * d);
  for (let p = 0; p < maxPositions; p++) {
    for (let i = 0; i < invFreq.length; i++) {
      const a = p * invFreq[i];
      cos[p * d + i] = cos[p * d + i + invFreq.length] = Math.cos(a);
      sin[p * d + i] = sin[p * d + i + invFreq.length] = Math.sin(a);
    }
  }
  return {
    cos: g.constant(cos, dtype, [maxPositions, d], 'rope_cos'),
    sin: g.constant(sin, dtype, [maxPositions, d], 'rope_sin'),
  };
}

/** Applies RoPE to x [B, H, T, D] at int64 positions [B, T]. */
export function applyRope(x: Value, positions: Value, tables: RopeTables): Value {
  const d = x.shape[3] as number;
  const cos = unsqueeze(gather(tables.cos, positions), [1]); // [B, 1, T, D]
  const sin = unsqueeze(gather(tables.sin, positions), [1]);
  const x1 = slice(x, [0], [d / 2], [3]);
  const x2 = slice(x, [d / 2], [d], [3]);
  const rotated = concat([neg(x2), x1], 3);
  return add(mul(x, cos), mul(rotated, sin));
}
