/** Faithfulness and cited-title matching, on a recommender whose scores are worked out by hand. */
import { describe, expect, it } from 'vitest';
import { citedHistoryTitles, faithfulnessOf } from '../../../electron/engine/explain/faithfulness.ts';
import { additiveRecommender } from './explain-fixtures.ts';

const HISTORY = new Uint32Array([1, 2, 3, 4]);
const titleOf = (i: number) => `Title ${i}`;
/** Item 6 gets 4 from item 1 and 1 from each other history item; item 5 gets 1 from each. */
const weight = (h: number, i: number) => (i === 6 ? (h === 1 ? 4 : 1) : i === 5 ? 1 : 0);
const input = (citedTitles: string[], seed = 7) => ({ user: 2, history: HISTORY, item: 6, citedTitles, titleOf, seed });

describe('faithfulnessOf', () => {
  it('removing the cited item: drop 4, and the item falls behind item 5 on the tie (rank 1 → 2)', async () => {
    const rec = additiveRecommender(6, weight);
    const r = await faithfulnessOf(rec, input(['title 1', 'Nonexistent', 'TITLE 1.']));
    expect(r.citations).toEqual([
      { title: 'title 1', item: 1 },
      { title: 'Nonexistent', item: null },
      { title: 'TITLE 1.', item: 1 },
    ]);
    expect(r.citationValidity).toBeCloseTo(2 / 3, 12);
    expect(r).toMatchObject({ score: 7, rank: 1 });
    expect(r.cited).toEqual({ removed: 1, score: 3, drop: 4, rank: 2, rankChange: 1 });
    // One scoreAll call: the full history, the cited removal and 5 random removals.
    expect(rec.requests).toHaveLength(7);
    expect(rec.requests.slice(2).every((q) => q.history.length === 3)).toBe(true);
    // Each random draw removes item 1 (drop 4, rank 2) or another item (drop 1, rank 1).
    const k = rec.requests.slice(2).filter((q) => !q.history.includes(1)).length;
    expect(r.random).toMatchObject({ removed: 1, draws: 5 });
    expect(r.random!.drop).toBeCloseTo((4 * k + (5 - k)) / 5, 12);
    expect(r.random!.rankChange).toBeCloseTo(k / 5, 12);
  });

  it('is seeded: the same seed draws the same items, and equal contributions give equal drops', async () => {
    const a = await faithfulnessOf(additiveRecommender(6, weight), input(['Title 2'], 3));
    const b = await faithfulnessOf(additiveRecommender(6, weight), input(['Title 2'], 3));
    expect(a).toEqual(b);
    const flat = additiveRecommender(6, (_h, i) => (i === 6 ? 2 : 0));
    const r = await faithfulnessOf(flat, input(['Title 3', 'Title 4']));
    expect(r.cited).toMatchObject({ removed: 2, drop: 4, rankChange: 0 });
    expect(r.random).toMatchObject({ removed: 2, drop: 4, draws: 5 });
  });

  it('scores no removal when nothing valid is cited, or when the citations are the whole history', async () => {
    const none = await faithfulnessOf(additiveRecommender(6, weight), input([]));
    expect(none).toMatchObject({ citationValidity: null, cited: null, random: null, score: 7 });
    const invalid = await faithfulnessOf(additiveRecommender(6, weight), input(['Other']));
    expect(invalid).toMatchObject({ citationValidity: 0, cited: null });
    const all = await faithfulnessOf(additiveRecommender(6, weight), input([1, 2, 3, 4].map(titleOf)));
    expect(all).toMatchObject({ citationValidity: 1, cited: null, random: null });
  });
});

describe('citedHistoryTitles', () => {
  const history = ['Toy Story (1995)', 'Heat', 'Heat Wave', 'Up', 'Jumanji', 'heat wave'];

  it('finds normalised whole-word mentions, in history order, once each', () => {
    const text = 'Because you enjoyed HEAT WAVE and  toy story (1995), this one supports your taste.';
    expect(citedHistoryTitles(text, history)).toEqual(['Toy Story (1995)', 'Heat Wave']);
  });

  it('counts a short title again when it also stands alone', () => {
    expect(citedHistoryTitles('Heat Wave, like Heat, and Up.', history)).toEqual(['Heat', 'Heat Wave', 'Up']);
    expect(citedHistoryTitles('Nothing relevant here.', history)).toEqual([]);
  });
});
