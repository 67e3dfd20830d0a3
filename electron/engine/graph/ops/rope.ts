/**
 * Rotary position embedding, Hugging Face "rotate half" layout: x·cos + rotate_half(x)·sin with
 * rotate_half([x1, x2]) = [−x2, x1] on the last axis. cos/sin tables are host-computed constants
 * [maxPositions, D] gathered by position ids (constants: no gradient).
 */
import type { Graph, Value } from '../graph.ts';
import { add, mul } from './elementwise.ts';
import { matmul } from './matmul.ts';
import { gather, unsqueeze } from './shape.ts';

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

/**
 * rotate_half as a constant [D, D] matrix R (x·R = [−x2, x1]), so rotation is one small MatMul
 * instead of slice/slice/neg/concat, and its gradient is ·Rᵀ.
 */
function rotateHalfMatrix(g: Graph, d: number, dtype: 'float32' | 'float64'): { r: Value; rT: Value } {
  const Arr = dtype === 'float64' ? Float64Array : Float32Array;
  const r = new Arr(d * d);
  const rT = new Arr(d * d);
  for (let i = 0; i < d / 2; i++) {
    r[(i + d / 2) * d + i] = -1; // out_i = −x_{i+d/2}
    r[i * d + i + d / 2] = 1; // out_{i+d/2} = x_i
  }
  for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) rT[b * d + a] = r[a * d + b];
  return { r: g.constant(r, dtype, [d, d], 'rope_rotate'), rT: g.constant(rT, dtype, [d, d], 'rope_rotate_t') };
}

/** Applies RoPE to x [B, H, T, D] at int64 positions [B, T]: x·cos + (x·R)·sin, fused backward. */
export function applyRope(x: Value, positions: Value, tables: RopeTables): Value {
  const g = x.graph;
  const d = x.shape[3] as number;
  const cos = unsqueeze(gather(tables.cos, positions), [1]); // [B, 1, T, D]
  const sin = unsqueeze(gather(tables.sin, positions), [1]);
  const { r, rT } = rotateHalfMatrix(g, d, x.dtype === 'float64' ? 'float64' : 'float32');
  return g.composite(
    'RoPE',
    [x, positions],
    () => ({ outputs: [add(mul(x, cos), mul(matmul(x, r), sin))] }),
    // dx = dy·cos + (dy·sin)·Rᵀ
    (_c, [dy]) => [add(mul(dy!, cos), matmul(mul(dy!, sin), rT)), null],
  )[0];
}
