/**
 * Scaling of the recommender's vectors before the projectors (methods I and H).
 *
 * Why: a recommender's user and item vectors can differ in size by orders of magnitude (the demo's
 * SASRec: user vectors ‖u‖ ≈ 9, item embeddings ‖e‖ ≈ 0.55), so at torch's default init the item
 * projector's input barely moves its output, and the interaction u·e that task 3 needs is learned
 * very slowly. Each kind is divided by its root-mean-square entry (one scalar per kind, so the
 * geometry — and u·e up to a constant — is unchanged). Measured on the demo (docs/alignment.md):
 * with scaling, task 3 starts using the user vector after ~15–20 k task-3 examples; without it, not
 * within 48 k.
 *
 * The scale is folded into fc1 when the projectors are saved (fc1(s·x) = (s·W1)·x + b1), so
 * `projectors.safetensors` always takes the recommender's raw vectors and no reader needs to know.
 */
import type { HostTensor } from '../graph/graph.ts';
import { projectorTensorName, type SlotKind } from '../kernels/projector.ts';

export type VectorScale = Record<SlotKind, number>;

/**
 * 1 / RMS of the entries of rows [firstRow, rows) of a [rows, dim] table (1 when they are all 0).
 * Item tables start at row 1: row 0 is the padding item.
 */
export function rmsScale(table: Float32Array, dim: number, firstRow = 0): number {
  let sum = 0;
  let n = 0;
  for (let k = firstRow * dim; k < table.length; k++) {
    sum += table[k] * table[k];
    n++;
  }
  const rms = n === 0 ? 0 : Math.sqrt(sum / n);
  return rms > 0 && Number.isFinite(rms) ? 1 / rms : 1;
}

/** A scaled copy of a vector table (null stays null). */
export function scaledTable(table: Float32Array | null, scale: number): Float32Array | null {
  if (!table) return null;
  const out = new Float32Array(table.length);
  for (let k = 0; k < table.length; k++) out[k] = table[k] * scale;
  return out;
}

/**
 * Projector tensors trained on scaled vectors → the same projectors for raw vectors: fc1.weight
 * times the kind's scale; other tensors copied by reference.
 */
export function foldVectorScale(tensors: ReadonlyMap<string, HostTensor>, scale: VectorScale): Map<string, HostTensor> {
  const out = new Map(tensors);
  for (const kind of Object.keys(scale) as SlotKind[]) {
    const name = projectorTensorName(kind, 'fc1Weight');
    const t = tensors.get(name);
    if (!t) continue;
    const src = t.data as Float32Array;
    const data = new Float32Array(src.length);
    for (let k = 0; k < src.length; k++) data[k] = src[k] * scale[kind];
    out.set(name, { ...t, data });
  }
  return out;
}
