import { describe, expect, it } from 'vitest';
import type { Faithfulness } from '../../../electron/contracts/api.ts';
import { citedTitles, summarizeExplanations } from '../../../electron/engine/explain/explanation-scores.ts';

const TITLES = ['The Bouncy Bear', 'The Bouncy Bear III', 'Sparkly Kitten', 'Heat'];

describe('explanation scores', () => {
  it("cites the titles an explanation mentions, except the explained item's own", () => {
    const text = 'The Bouncy Bear is recommended because you liked The Bouncy Bear III and Sparkly Kitten.';
    expect(citedTitles(text, TITLES, 1)).toEqual(['The Bouncy Bear III', 'Sparkly Kitten']);
    // Explaining another item, the first title counts as a citation too.
    expect(citedTitles(text, TITLES, 4)).toEqual(['The Bouncy Bear', 'The Bouncy Bear III', 'Sparkly Kitten']);
    expect(citedTitles('nothing relevant', TITLES, 1)).toEqual([]);
  });

  it('averages each score over the explanations where it exists', () => {
    const effect = (drop: number, rankChange: number) => ({ removed: 1, score: 1, drop, rank: 2, rankChange });
    const base = { user: 0, item: 1, score: 2, rank: 1 };
    const reports: Faithfulness[] = [
      {
        ...base,
        citations: [{ title: 'A', item: 2 }],
        citationValidity: 1,
        cited: effect(0.6, 3),
        random: { ...effect(0.2, 1), draws: 5 },
      },
      {
        ...base,
        citations: [
          { title: 'B', item: null },
          { title: 'C', item: 3 },
        ],
        citationValidity: 0.5,
        cited: effect(0.2, 1),
        random: { ...effect(0.1, 0), draws: 5 },
      },
      { ...base, citations: [], citationValidity: null, cited: null, random: null },
    ];
    const s = summarizeExplanations(reports);
    expect(s).toMatchObject({
      explanations: 3,
      citing: 2,
      citationValidity: 0.75,
      citedRankChange: 2,
      randomRankChange: 0.5,
    });
    expect(s.citedDrop).toBeCloseTo(0.4, 12);
    expect(s.randomDrop).toBeCloseTo(0.15, 12);
    expect(summarizeExplanations([reports[2]])).toMatchObject({ citing: 0, citationValidity: null, citedDrop: null });
  });
});
