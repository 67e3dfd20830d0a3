import { describe, expect, it } from 'vitest';
import { foldVectorScale, rmsScale, scaledTable } from '../../../electron/engine/align/vector-scale.ts';
import {
  initProjector,
  projectorForward,
  projectorFromTensors,
  projectorTensors,
} from '../../../electron/engine/kernels/projector.ts';
import { Rng } from '../../../electron/engine/random.ts';

describe('recommender vector scaling', () => {
  it('is 1 / root-mean-square of the entries, skipping the padding rows', () => {
    // rows: [9, 9] (padding, skipped), [3, 4], [0, 0] → mean square (9 + 16 + 0 + 0) / 4 = 6.25 → RMS 2.5
    const table = new Float32Array([9, 9, 3, 4, 0, 0]);
    expect(rmsScale(table, 2, 1)).toBeCloseTo(1 / 2.5, 7);
    expect(rmsScale(table, 2)).toBeCloseTo(1 / Math.sqrt((81 + 81 + 25) / 6), 7);
  });

  it('leaves an all-zero table alone instead of dividing by zero', () => {
    expect(rmsScale(new Float32Array(6), 2, 1)).toBe(1);
    expect(rmsScale(new Float32Array([5, 5]), 2, 1)).toBe(1);
  });

  it('scales a copy, never the recommender table itself', () => {
    const table = new Float32Array([1, -2]);
    expect(Array.from(scaledTable(table, 0.5)!)).toEqual([0.5, -1]);
    expect(Array.from(table)).toEqual([1, -2]);
    expect(scaledTable(null, 2)).toBeNull();
  });

  it('folds into fc1: saved projectors on raw vectors = trained projectors on scaled vectors', () => {
    const rng = new Rng(7);
    const D = 6;
    const S = 3;
    const trained = new Map([
      ...projectorTensors('user', initProjector({ kind: 'user', dRec: D, dModel: 8, seed: 1 })),
      ...projectorTensors('item', initProjector({ kind: 'item', dRec: D, dModel: 8, seed: 2 })),
    ]);
    const scale = { user: 0.11, item: 14.5 };
    const folded = foldVectorScale(trained, scale);
    for (const kind of ['user', 'item'] as const) {
      const raw = Float32Array.from({ length: S * D }, () => (rng.next() - 0.5) * 20);
      const want = projectorForward(projectorFromTensors(kind, trained), scaledTable(raw, scale[kind])!, S).out;
      const got = projectorForward(projectorFromTensors(kind, folded), raw, S).out;
      for (let k = 0; k < want.length; k++) expect(got[k]).toBeCloseTo(want[k], 4);
    }
    // The trained tensors themselves are untouched (the trainer may still hold them).
    expect(folded.get('proj_user.fc1.weight')!.data).not.toBe(trained.get('proj_user.fc1.weight')!.data);
    expect(folded.get('proj_user.fc2.weight')!.data).toBe(trained.get('proj_user.fc2.weight')!.data);
  });
});
