import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../electron/engine/random.ts';
import {
  itemOfKey,
  MAX_RANKED_ITEMS,
  rankKey,
  ranksBefore,
  scoreBits,
  selectKey,
} from '../../../electron/engine/recommender/export/rank-select.ts';
import {
  emptyRowLabels,
  labelListRow,
  labelScoredRow,
  RowScratch,
} from '../../../electron/engine/recommender/export/row-labels.ts';
import { NO_ITEM } from '../../../electron/engine/recommender/export/summary.ts';

/** Items 1..n ranked by score descending, ties by lower id: the reference order. */
function reference(scores: Float32Array, skip: Set<number> = new Set()): number[] {
  const ids: number[] = [];
  for (let i = 1; i < scores.length; i++) if (!skip.has(i)) ids.push(i);
  return ids.sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Rank keys of items 1..n in id order. */
const keysOf = (scores: Float32Array) => {
  const bits = scoreBits(scores);
  return Float64Array.from({ length: scores.length - 1 }, (_, k) => rankKey(bits[k + 1], k + 1));
};

describe('rank keys and selectKey', () => {
  it('keys order items exactly like ranksBefore (score descending, then lower id; −0 = +0)', () => {
    const special = [0, -0, 1, -1, 3.5e38, -3.5e38, 1e-45, -1e-45, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...special), fc.float({ noNaN: true })), { minLength: 2 }),
        (vals) => {
          const scores = Float32Array.from([0, ...vals]);
          const keys = keysOf(scores);
          for (let a = 1; a < scores.length; a++) {
            expect(itemOfKey(keys[a - 1])).toBe(a);
            for (const b of [1, scores.length - 1, (a % (scores.length - 1)) + 1]) {
              expect(keys[a - 1] > keys[b - 1]).toBe(ranksBefore(scores, a, b));
            }
          }
        },
      ),
      { numRuns: 200 },
    );
    expect(itemOfKey(rankKey(0, MAX_RANKED_ITEMS))).toBe(MAX_RANKED_ITEMS);
  });

  it('finds the key of every rank and partitions around it (ties broken by lower id)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -4, max: 4 }), { minLength: 1, maxLength: 60 }),
        fc.nat(),
        (vals, kSeed) => {
          const scores = Float32Array.from([Number.NEGATIVE_INFINITY, ...vals]);
          const order = reference(scores);
          const k = kSeed % order.length;
          const keys = keysOf(scores).reverse();
          expect(itemOfKey(selectKey(keys, 0, keys.length, k))).toBe(order[k]);
          expect(new Set(Array.from(keys.subarray(0, k), itemOfKey))).toEqual(new Set(order.slice(0, k)));
          expect(new Set(Array.from(keys.subarray(k + 1), itemOfKey))).toEqual(new Set(order.slice(k + 1)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays correct on long adversarial inputs (sorted, all equal, -Infinity)', () => {
    for (const make of [(i: number) => i, (i: number) => -i, () => 1, (i: number) => (i % 2 ? -Infinity : i)]) {
      const scores = Float32Array.from({ length: 5001 }, (_, i) => make(i));
      const order = reference(scores);
      for (const k of [0, 1000, 2500, 4999]) {
        const keys = keysOf(scores);
        expect(itemOfKey(selectKey(keys, 0, keys.length, k))).toBe(order[k]);
      }
    }
  });

  it('ranksBefore orders by score, then lower id', () => {
    const s = Float32Array.from([0, 2, 3, 3]);
    expect(ranksBefore(s, 2, 1)).toBe(true);
    expect(ranksBefore(s, 2, 3)).toBe(true);
    expect(ranksBefore(s, 3, 2)).toBe(false);
  });
});

describe('labelScoredRow boundaries', () => {
  const N = 30;
  const distinct = Float32Array.from({ length: N + 1 }, (_, i) => (i === 0 ? Number.NEGATIVE_INFINITY : (i * 7) % 31));

  it('pos covers exactly ranks [0, ⌊N/5⌋) and neg exactly ranks (⌊N/2⌋, N−1]', () => {
    const order = reference(distinct);
    const scratch = new RowScratch(N);
    const out = emptyRowLabels();
    const rng = new Rng(1);
    const posRanks = new Set<number>();
    const negRanks = new Set<number>();
    for (let t = 0; t < 3000; t++) {
      scratch.withHistory(new Uint32Array(0), () => labelScoredRow(distinct, scratch, rng, out));
      posRanks.add(order.indexOf(out.pos));
      negRanks.add(order.indexOf(out.neg));
      expect(out.posScore).toBeGreaterThan(distinct[order[Math.floor(N / 5)]]);
      expect(out.negScore).toBeLessThan(distinct[order[Math.floor(N / 2)]]);
    }
    expect([...posRanks].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
    expect([...negRanks].sort((a, b) => a - b)).toEqual(Array.from({ length: 14 }, (_, k) => 16 + k));
  });

  it('with tied scores the ranking falls back to ids, so thresholds are inclusive in score', () => {
    const flat = new Float32Array(N + 1).fill(1);
    flat[0] = Number.NEGATIVE_INFINITY;
    const scratch = new RowScratch(N);
    const out = emptyRowLabels();
    const rng = new Rng(2);
    for (let t = 0; t < 500; t++) {
      scratch.withHistory(new Uint32Array(0), () => labelScoredRow(flat, scratch, rng, out));
      expect(out.top1).toBe(1);
      expect(out.pos).toBeGreaterThanOrEqual(1);
      expect(out.pos).toBeLessThanOrEqual(6);
      expect(out.neg).toBeGreaterThanOrEqual(17);
      expect(out.posScore).toBe(1);
      expect(out.negScore).toBe(1);
    }
  });

  it('masks the history and omits labels that need more items (pos: N ≥ 5, neg: N ≥ 3)', () => {
    const scratch = new RowScratch(N);
    const out = emptyRowLabels();
    const rng = new Rng(3);
    for (const n of [0, 1, 2, 3, 4, 5, 6]) {
      const history = Uint32Array.from({ length: N - n }, (_, k) => k + 1 + n); // leaves items 1..n
      scratch.withHistory(history, () => labelScoredRow(distinct, scratch, rng, out));
      const order = reference(distinct, new Set(history));
      expect(out.top1).toBe(n === 0 ? NO_ITEM : order[0]);
      expect([...out.candidates].filter((c) => c !== NO_ITEM).length).toBe(Math.min(5, n));
      expect(out.pos === NO_ITEM).toBe(n < 5);
      expect(out.neg === NO_ITEM).toBe(n < 3);
      expect(Number.isNaN(out.posScore)).toBe(n < 5);
      for (const item of [out.top1, out.pos, out.neg, ...out.candidates]) expect(history.includes(item)).toBe(false);
    }
    expect(scratch.inHistory.reduce((s, v) => s + v, 0)).toBe(1); // only padding stays marked
  });

  it('rejects a NaN score', () => {
    const bad = distinct.slice();
    bad[4] = Number.NaN;
    const scratch = new RowScratch(N);
    expect(() =>
      scratch.withHistory(new Uint32Array(0), () => labelScoredRow(bad, scratch, new Rng(1), emptyRowLabels())),
    ).toThrow('NaN for item 4');
  });
});

describe('labelListRow', () => {
  it('ranks the listed non-history items in list order, skipping repeats and unknown ids', () => {
    const scratch = new RowScratch(20);
    const out = emptyRowLabels();
    const list = Uint32Array.from([7, 3, 0, 7, 99, 12, 5, 9, 1, 2, 4, 6, 8, 11]);
    const history = Uint32Array.from([3, 9]);
    const filtered = [7, 12, 5, 1, 2, 4, 6, 8, 11]; // M = 9: pos ranks [0, 1), neg ranks (4, 8]
    const rng = new Rng(5);
    const negs = new Set<number>();
    for (let t = 0; t < 300; t++) {
      scratch.withHistory(history, () => labelListRow(list, scratch, rng, out));
      expect(out.top1).toBe(7);
      const cands = [...out.candidates];
      expect(new Set(cands).size).toBe(5);
      const ranks = cands.map((c) => filtered.indexOf(c));
      expect(ranks.every((r) => r >= 0)).toBe(true);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(out.pos).toBe(7);
      negs.add(filtered.indexOf(out.neg));
      expect(Number.isNaN(out.top1Score)).toBe(true);
    }
    expect([...negs].sort()).toEqual([5, 6, 7, 8]);
  });

  it('omits pos below 5 listed items and neg below 3', () => {
    const scratch = new RowScratch(10);
    const out = emptyRowLabels();
    scratch.withHistory(new Uint32Array(0), () => labelListRow(Uint32Array.from([4, 2]), scratch, new Rng(1), out));
    expect([out.top1, out.pos, out.neg]).toEqual([4, NO_ITEM, NO_ITEM]);
    expect([...out.candidates]).toEqual([4, 2, NO_ITEM, NO_ITEM, NO_ITEM]);
  });
});
