import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../electron/engine/random.ts';
import {
  historyCoverage,
  hitRateAndNdcgFromList,
  MetricAccumulator,
  normalizeTitle,
  rankAmong,
  rankingNdcg,
  rankOfTarget,
  sampledRank,
  sampleNegatives,
} from '../../../electron/engine/recommender/metrics.ts';

const NEG = Number.NEGATIVE_INFINITY;
const row = (...s: number[]) => Float32Array.from([NEG, ...s]);
const none = new Uint32Array(0);

describe('rankOfTarget', () => {
  // items 1..5 score 0.9, 0.5, 0.7, 0.1, 0.3
  const scores = row(0.9, 0.5, 0.7, 0.1, 0.3);

  it('counts items scoring strictly higher', () => {
    expect(rankOfTarget(scores, 0, 5, 3, none)).toBe(1); // only item 1 beats 0.7
    expect(rankOfTarget(scores, 0, 5, 1, none)).toBe(0);
    expect(rankOfTarget(scores, 0, 5, 4, none)).toBe(4);
  });

  it('skips excluded history items, counting duplicates and padding once / never', () => {
    expect(rankOfTarget(scores, 0, 5, 3, Uint32Array.of(1))).toBe(0);
    expect(rankOfTarget(scores, 0, 5, 4, Uint32Array.of(0, 1, 1, 3, 3))).toBe(2); // items 2, 5 left above
    expect(rankOfTarget(scores, 0, 5, 4, new Set([1, 3]))).toBe(2);
  });

  it('never excludes the target itself', () => {
    expect(rankOfTarget(scores, 0, 5, 3, Uint32Array.of(3, 1))).toBe(0);
    expect(rankOfTarget(scores, 0, 5, 4, Uint32Array.of(4))).toBe(4);
  });

  it('reads the row at rowOffset', () => {
    const two = Float32Array.from([...row(1, 2, 3), ...row(3, 2, 1)]);
    expect(rankOfTarget(two, 0, 3, 1, none)).toBe(2);
    expect(rankOfTarget(two, 4, 3, 1, none)).toBe(0);
  });

  it('splits ties evenly: a constant-score model gets the middle rank, not rank 0', () => {
    const flat = row(1, 1, 1, 1, 1, 1, 1, 1, 1); // 9 items
    expect(rankOfTarget(flat, 0, 9, 5, none)).toBe(4); // 8 tied others / 2
    expect(rankOfTarget(flat, 0, 9, 5, Uint32Array.of(1, 2))).toBe(3); // 6 / 2
    // item 1 above, items 3 and 4 tie with target 2: 1 + 2/2
    expect(rankOfTarget(row(1, 0.5, 0.5, 0.5, 0), 0, 5, 2, none)).toBe(2);
    expect(rankOfTarget(row(1, 0.5, 0.5, 0.5, 0), 0, 5, 2, Uint32Array.of(3))).toBe(1.5);
  });

  it('puts a NaN target last and never lets NaN items beat the target', () => {
    expect(rankOfTarget(row(1, Number.NaN, 2, 3), 0, 4, 2, Uint32Array.of(4))).toBe(2);
    expect(rankOfTarget(row(Number.NaN, 0.5, 0.1), 0, 3, 2, none)).toBe(0);
  });

  it('rejects targets outside 1..numItems and rows past the end', () => {
    expect(() => rankOfTarget(scores, 0, 5, 0, none)).toThrow(RangeError);
    expect(() => rankOfTarget(scores, 0, 5, 6, none)).toThrow(RangeError);
    expect(() => rankOfTarget(scores, 1, 5, 1, none)).toThrow(RangeError);
  });

  it('agrees with the definition on random rows with ties and exclusions', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 30 }),
        fc.array(fc.integer({ min: 0, max: 35 }), { maxLength: 20 }),
        fc.nat(),
        (vals, excl, pick) => {
          const n = vals.length;
          const target = 1 + (pick % n);
          const ex = new Set(excl);
          let expected = 0;
          for (let i = 1; i <= n; i++) {
            if (i === target || ex.has(i)) continue;
            if (vals[i - 1] > vals[target - 1]) expected += 1;
            else if (vals[i - 1] === vals[target - 1]) expected += 0.5;
          }
          expect(rankOfTarget(row(...vals), 0, n, target, Uint32Array.from(excl))).toBe(expected);
        },
      ),
    );
  });

  it('ranks 6,000 users over 4,000 items in one tight pass each (performance sanity)', () => {
    const numItems = 4000;
    const rows = 16; // reuse a few rows to keep memory small; the work per user is the same
    const rng = new Rng(1);
    const scores = new Float32Array(rows * (numItems + 1));
    for (let k = 0; k < scores.length; k++) scores[k] = rng.next();
    const history = Uint32Array.from({ length: 50 }, (_, k) => 1 + k * 7);
    let sum = 0;
    for (let u = 0; u < 6000; u++) sum += rankOfTarget(scores, (u % rows) * (numItems + 1), numItems, 3999, history);
    expect(sum / 6000).toBeGreaterThanOrEqual(0);
    expect(sum / 6000).toBeLessThan(numItems);
  });
});

describe('sampled evaluation', () => {
  const numItems = 300;
  const ascending = Float32Array.from({ length: numItems + 1 }, (_, i) => (i === 0 ? NEG : i));

  it('is deterministic for a seed', () => {
    const ex = Uint32Array.of(5, 6, 7);
    const a = sampleNegatives(numItems, 10, ex, new Rng(42));
    expect(sampleNegatives(numItems, 10, ex, new Rng(42))).toEqual(a);
    expect(sampleNegatives(numItems, 10, ex, new Rng(43))).not.toEqual(a);
    const flat = new Float32Array(numItems + 1).fill(1);
    expect(sampledRank(flat, 0, numItems, 10, ex, new Rng(42))).toBe(
      sampledRank(flat, 0, numItems, 10, ex, new Rng(42)),
    );
  });

  // Sparse exclusion takes the rejection path, dense exclusion the Fisher–Yates path.
  for (const [label, excluded] of [
    ['sparse', 20],
    ['dense', 150],
  ] as const) {
    it(`draws 100 distinct negatives, never the target or history (${label} exclusion)`, () => {
      const ex = Uint32Array.from({ length: excluded }, (_, k) => k + 1);
      const rng = new Rng(7);
      const seen = new Uint32Array(numItems + 1);
      const draws = 600;
      let bad = 0;
      for (let d = 0; d < draws; d++) {
        const neg = sampleNegatives(numItems, 250, ex, rng);
        if (neg.length !== 100 || new Set(neg).size !== 100) bad++;
        for (const i of neg) {
          if (i <= excluded || i > numItems || i === 250) bad++;
          seen[i]++;
        }
      }
      expect(bad).toBe(0);
      // Uniform: each of the (300 − excluded − 1) eligible items is expected draws·100/eligible times.
      const eligible = numItems - excluded - 1;
      const mean = (draws * 100) / eligible;
      for (let i = excluded + 1; i <= numItems; i++) {
        if (i === 250) continue;
        expect(seen[i]).toBeGreaterThan(mean * 0.75);
        expect(seen[i]).toBeLessThan(mean * 1.25);
      }
    });
  }

  it('uses every eligible item when there are no more than 100', () => {
    const ex = Uint32Array.from({ length: 200 }, (_, k) => k + 1); // 100 left, minus the target
    expect([...sampleNegatives(numItems, 300, ex, new Rng(1))]).toEqual(Array.from({ length: 99 }, (_, k) => 201 + k));
  });

  it('ranks against the sampled negatives with the same tie rule', () => {
    const ex = Uint32Array.of(1, 2);
    expect(sampledRank(ascending, 0, numItems, numItems, ex, new Rng(3))).toBe(0); // best item
    expect(sampledRank(ascending, 0, numItems, 3, ex, new Rng(3))).toBe(100); // worst eligible item
    const flat = new Float32Array(numItems + 1).fill(0.5);
    expect(sampledRank(flat, 0, numItems, 3, ex, new Rng(3))).toBe(50); // constant model: middle
    expect(rankAmong(ascending, 0, 5, Uint32Array.of(4, 6, 7))).toBe(2);
  });
});

describe('MetricAccumulator', () => {
  it('averages HR@k and NDCG@k over users (hand-computed)', () => {
    const acc = new MetricAccumulator();
    for (const r of [0, 3, 12]) acc.add(r);
    const m = acc.result();
    expect(Object.keys(m)).toEqual(['HR@5', 'NDCG@5', 'HR@10', 'NDCG@10', 'HR@20', 'NDCG@20']);
    // rank 0 → 1/log2(2) = 1; rank 3 → 1/log2(5); rank 12 → 1/log2(14), inside @20 only
    expect(m['HR@5']).toBeCloseTo(2 / 3, 12);
    expect(m['NDCG@5']).toBeCloseTo((1 + 1 / Math.log2(5)) / 3, 12);
    expect(m['HR@10']).toBeCloseTo(2 / 3, 12);
    expect(m['NDCG@10']).toBeCloseTo((1 + 1 / Math.log2(5)) / 3, 12);
    expect(m['HR@20']).toBe(1);
    expect(m['NDCG@20']).toBeCloseTo((1 + 1 / Math.log2(5) + 1 / Math.log2(14)) / 3, 12);
  });

  it('handles fractional ranks, custom cut-offs, and no users', () => {
    const acc = new MetricAccumulator();
    acc.add(4.5);
    expect(acc.result([5, 1])).toEqual({ 'HR@5': 1, 'NDCG@5': 1 / Math.log2(6.5), 'HR@1': 0, 'NDCG@1': 0 });
    expect(new MetricAccumulator().result([5])).toEqual({ 'HR@5': 0, 'NDCG@5': 0 });
    expect(() => acc.add(Number.NaN)).toThrow(RangeError);
    expect(acc.count).toBe(1);
  });
});

describe('alignment metrics', () => {
  it('normalizes titles', () => {
    expect(normalizeTitle('  "The   Matrix."  ')).toBe('the matrix');
    expect(normalizeTitle('“Heat”')).toBe('heat');
    expect(normalizeTitle('Toy Story (1995)')).toBe('toy story (1995)');
    expect(normalizeTitle('**Ａlien**\n')).toBe('alien');
    expect(normalizeTitle("Schindler's List")).toBe("schindler's list");
  });

  it('task 1: hit and position-discounted NDCG of the first match among k outputs', () => {
    const preds = ['Alien', 'Heat', 'The Matrix', 'Heat', 'Up'];
    expect(hitRateAndNdcgFromList(preds, 'the matrix.', 5)).toEqual({ hr: 1, ndcg: 1 / Math.log2(4) }); // = 0.5
    expect(hitRateAndNdcgFromList(preds, 'Heat', 5)).toEqual({ hr: 1, ndcg: 1 / Math.log2(3) });
    expect(hitRateAndNdcgFromList(preds, 'The Matrix', 2)).toEqual({ hr: 0, ndcg: 0 });
    expect(hitRateAndNdcgFromList([], 'Up')).toEqual({ hr: 0, ndcg: 0 });
  });

  it('task 2: graded NDCG with relevance 1000/100/10/1/0 by model order', () => {
    const model = ['A', 'B', 'C', 'D', 'E'];
    const idcg = 1000 / 1 + 100 / Math.log2(3) + 10 / 2 + 1 / Math.log2(5) + 0;
    expect(rankingNdcg(['a', 'b', 'c', 'd', 'e'], model)).toBeCloseTo(1, 12);
    // swap the top two: A (1000) at position 1, B (100) at position 0
    const swapped = 100 / 1 + 1000 / Math.log2(3) + 10 / 2 + 1 / Math.log2(5);
    expect(rankingNdcg(['B', 'A', 'C', 'D', 'E'], model)).toBeCloseTo(swapped / idcg, 12);
    // repeating the top item earns it once; unknown titles earn nothing
    expect(rankingNdcg(['A', 'A', 'A', 'A', 'A'], model)).toBeCloseTo(1000 / idcg, 12);
    expect(rankingNdcg(['X', 'Y'], model)).toBe(0);
    // a short prediction: C at position 0, A at position 1
    expect(rankingNdcg(['C', 'A'], model)).toBeCloseTo((10 + 1000 / Math.log2(3)) / idcg, 12);
  });

  it('task 6: history coverage of the first |history| generated titles', () => {
    const history = ['Alien', 'Heat', 'Up'];
    expect(historyCoverage(['alien', 'Jaws', 'Up.', 'Heat'], history)).toBeCloseTo(2 / 3, 12); // Heat is 4th
    expect(historyCoverage(['Up', 'Heat', 'Alien'], history)).toBe(1);
    expect(historyCoverage(['Alien', 'Alien', 'Alien'], history)).toBeCloseTo(1 / 3, 12);
    expect(historyCoverage(['Alien', 'Alien'], ['Alien', 'Alien', 'Up'])).toBeCloseTo(2 / 3, 12);
    expect(historyCoverage(['x'], [])).toBe(0);
  });
});
