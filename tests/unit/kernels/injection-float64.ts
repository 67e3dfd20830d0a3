/**
 * An independent float64 forward of the injection, written the naive way (one slot at a time, one
 * output element at a time), and the central-difference machinery the gradient tests use: the loss
 * is Σ out·R with R a fixed random [B, T, C], evaluated entirely in float64.
 */

import type { InjectionSlot } from '../../../electron/engine/kernels/embedding-injection.ts';
import { erf } from '../../../electron/engine/kernels/gelu.ts';
import type { Projector, SlotKind } from '../../../electron/engine/kernels/projector.ts';
import type { Rng } from '../../../electron/engine/random.ts';

export interface Projector64 {
  dRec: number;
  dMid: number;
  dModel: number;
  fc1Weight: Float64Array;
  fc1Bias: Float64Array;
  fc2Weight: Float64Array;
  fc2Bias: Float64Array;
}

export function toFloat64(p: Projector): Projector64 {
  return {
    dRec: p.dRec,
    dMid: p.dMid,
    dModel: p.dModel,
    fc1Weight: Float64Array.from(p.fc1Weight),
    fc1Bias: Float64Array.from(p.fc1Bias),
    fc2Weight: Float64Array.from(p.fc2Weight),
    fc2Bias: Float64Array.from(p.fc2Bias),
  };
}

const gelu64 = (x: number) => 0.5 * x * (1 + erf(x / Math.SQRT2));

/** P(v) for one vector, straight from the definition. */
export function project64(p: Projector64, v: ArrayLike<number>): Float64Array {
  const hidden = new Float64Array(p.dMid);
  for (let m = 0; m < p.dMid; m++) {
    let z = p.fc1Bias[m];
    for (let d = 0; d < p.dRec; d++) z += p.fc1Weight[m * p.dRec + d] * v[d];
    hidden[m] = gelu64(z);
  }
  const out = new Float64Array(p.dModel);
  for (let c = 0; c < p.dModel; c++) {
    let y = p.fc2Bias[c];
    for (let m = 0; m < p.dMid; m++) y += p.fc2Weight[c * p.dMid + m] * hidden[m];
    out[c] = y;
  }
  return out;
}

export interface Case64 {
  tokens: Int32Array;
  B: number;
  T: number;
  C: number;
  table: Float64Array;
  slots: { b: number; t: number; kind: SlotKind; vector: Float64Array }[];
  projectors: Partial<Record<SlotKind, Projector64>>;
}

/** out[b, t, c] = table[tok, c] + Σ over slots at (b, t) of P_kind(vector)[c]. */
export function inject64(k: Case64): Float64Array {
  const out = new Float64Array(k.B * k.T * k.C);
  for (let b = 0; b < k.B; b++)
    for (let t = 0; t < k.T; t++) {
      const tok = k.tokens[b * k.T + t];
      for (let c = 0; c < k.C; c++) out[(b * k.T + t) * k.C + c] = k.table[tok * k.C + c];
    }
  for (const s of k.slots) {
    const p = project64(k.projectors[s.kind]!, s.vector);
    for (let c = 0; c < k.C; c++) out[(s.b * k.T + s.t) * k.C + c] += p[c];
  }
  return out;
}

export function randomArray(n: number, rng: Rng, scale = 1): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = scale * rng.normal();
  return a;
}

export function slots64(list: readonly InjectionSlot[]): Case64['slots'] {
  return list.map((s) => ({ ...s, vector: Float64Array.from(s.vector) }));
}

/** d/dx of loss() for every element of x by central differences (x perturbed in place, restored). */
export function centralDifferences(loss: () => number, x: Float64Array, eps: number): Float64Array {
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const orig = x[i];
    x[i] = orig + eps;
    const up = loss();
    x[i] = orig - eps;
    const down = loss();
    x[i] = orig;
    g[i] = (up - down) / (2 * eps);
  }
  return g;
}

/** max over i of |a − n| / (atol + rtol·|n|): ≤ 1 means every element is within tolerance. */
export function worstError(analytic: ArrayLike<number>, numeric: ArrayLike<number>, atol: number, rtol: number) {
  let worst = 0;
  let at = -1;
  for (let i = 0; i < numeric.length; i++) {
    const e = Math.abs(analytic[i] - numeric[i]) / (atol + rtol * Math.abs(numeric[i]));
    if (e > worst) {
      worst = e;
      at = i;
    }
  }
  return { worst, at };
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};
