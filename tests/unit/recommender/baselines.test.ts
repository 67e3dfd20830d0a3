import { describe, expect, it } from 'vitest';
import { leaveOneOutSplit } from '../../../electron/engine/data/split.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { popularityScores, randomScores } from '../../../electron/engine/recommender/baselines.ts';
import { MetricAccumulator, rankOfTarget } from '../../../electron/engine/recommender/metrics.ts';

/** Users' item sequences (oldest first) as the dataset arrays the baselines read. */
function datasetOf(numItems: number, sequences: number[][]) {
  const offsets = new Uint32Array(sequences.length + 1);
  sequences.forEach((s, u) => {
    offsets[u + 1] = offsets[u] + s.length;
  });
  return { numUsers: sequences.length, numItems, offsets, items: Uint32Array.from(sequences.flat()) };
}

describe('popularityScores', () => {
  it('counts training interactions only, never validation or test items', () => {
    // train: u1 [1, 2], u2 [2, 3, 2]; validation 3, 1; test 4, 4; item 5 never seen
    const ds = datasetOf(5, [
      [1, 2, 3, 4],
      [2, 3, 2, 1, 4],
    ]);
    expect([...popularityScores(ds)]).toEqual([Number.NEGATIVE_INFINITY, 1, 3, 1, 0, 0]);
  });

  it('plugs into rankOfTarget like a model row, ties split evenly', () => {
    const ds = datasetOf(5, [
      [1, 2, 3, 4],
      [2, 3, 2, 1, 4],
    ]);
    const pop = popularityScores(ds);
    const split = leaveOneOutSplit(ds);
    // user 1 at test: exclude [1, 2, 3]; items 4 and 5 both score 0 → rank 0.5
    const hist1 = ds.items.subarray(ds.offsets[0], ds.offsets[1] - 1);
    expect(rankOfTarget(pop, 0, ds.numItems, split.test[0], hist1)).toBe(0.5);
    // user 2 at validation (item 1, score 1): exclude [2, 3]; 4 and 5 score 0 → rank 0
    expect(rankOfTarget(pop, 0, ds.numItems, split.validation[1], split.trainSequence(2))).toBe(0);
  });

  it('refuses users too short for leave-one-out', () => {
    expect(() => popularityScores(datasetOf(3, [[1, 2]]))).toThrow(/leave-one-out/);
  });
});

describe('randomScores', () => {
  it('is seeded, keeps column 0 at −Infinity and fills [0, 1)', () => {
    const a = randomScores(new Rng(5), 50);
    expect(a[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(a.length).toBe(51);
    for (let i = 1; i <= 50; i++) expect(a[i] >= 0 && a[i] <= 1).toBe(true);
    expect(randomScores(new Rng(5), 50)).toEqual(a);
    expect(randomScores(new Rng(6), 50)).not.toEqual(a);
  });

  it('reuses a buffer and rejects one of the wrong size', () => {
    const buf = new Float32Array(11);
    expect(randomScores(new Rng(1), 10, buf)).toBe(buf);
    expect(() => randomScores(new Rng(1), 10, new Float32Array(10))).toThrow(RangeError);
  });

  it('gives chance-level metrics: HR@10 ≈ 10 / 100 items', () => {
    const rng = new Rng(9);
    const buf = new Float32Array(101);
    const acc = new MetricAccumulator();
    for (let u = 0; u < 3000; u++) acc.add(rankOfTarget(randomScores(rng, 100, buf), 0, 100, 1 + (u % 100), []));
    expect(acc.result([10])['HR@10']).toBeGreaterThan(0.08);
    expect(acc.result([10])['HR@10']).toBeLessThan(0.12);
  });
});
