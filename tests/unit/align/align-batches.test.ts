import { describe, expect, it } from 'vitest';
import { AlignBatches } from '../../../electron/engine/align/align-batches.ts';
import { LOSS_WEIGHTS } from '../../../electron/engine/align/align-model.ts';
import type { AlignExample } from '../../../electron/engine/align/example.ts';
import { initProjector, projectorTensors } from '../../../electron/engine/kernels/projector.ts';
import { encodedExamples } from './encoded-examples.ts';

const X = -100;
/** A Yes/No answer (2 label tokens) and a title list answer (5 label tokens), B format (no slots). */
const encoded = encodedExamples([
  { ids: [1, 5, 6, 7, 2], labels: [X, X, X, 7, 2] },
  { ids: [1, 5, 8, 9, 10, 11, 12, 2], labels: [X, X, 9, 10, 11, 12, 2, X] },
]);

describe('alignment batches', () => {
  it('gives every example the same total loss weight, whatever its answer length, and counts real tokens per step', () => {
    const hidden = 4;
    const batches = new AlignBatches({
      examples: encoded.map((e) => ({ example: { task: 3 } as AlignExample, encoded: e })),
      batchSize: 2,
      seed: 1,
      table: new Float32Array(16 * hidden),
      hidden,
      padId: 0,
      userVectors: null,
      itemTable: null,
      dRec: 1,
      params: () =>
        new Map(
          (['user', 'item'] as const).flatMap((kind) => [
            ...projectorTensors(kind, initProjector({ kind, dRec: 1, dModel: hidden, seed: 1 })),
          ]),
        ),
    });
    // A step holds both examples (5 + 8 tokens), padding not counted: 26 over two micro-batches.
    expect(batches.tokensOf(0)).toBe(13);
    expect(batches.tokensOf(3, 2)).toBe(26);
    const { feeds } = batches.assemble(encoded);
    const w = feeds[LOSS_WEIGHTS].data as Float32Array;
    const T = 8;
    expect(feeds[LOSS_WEIGHTS].dims).toEqual([2, T]);
    const row = (b: number) => Array.from(w.subarray(b * T, (b + 1) * T));
    // Example 0: its 2 answer tokens get ½ · ½ each; padding and prompt get 0.
    expect(row(0)).toEqual([0, 0, 0, 0.25, 0.25, 0, 0, 0]);
    // Example 1: its 5 answer tokens get ½ · ⅕ each.
    for (const [t, v] of row(1).entries()) expect(v).toBeCloseTo(t >= 2 && t <= 6 ? 0.1 : 0, 7);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(row(0))).toBeCloseTo(0.5, 7);
    expect(sum(row(1))).toBeCloseTo(0.5, 7);
  });
});
