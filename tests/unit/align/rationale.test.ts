import { beforeAll, describe, expect, it } from 'vitest';
import { generateTasks } from '../../../electron/engine/align/generate-tasks.ts';
import type { TaskContext } from '../../../electron/engine/align/tasks/context.ts';
import {
  buildRationaleExamples,
  citedIndices,
  leaveOneOutDrops,
} from '../../../electron/engine/align/tasks/rationale.ts';
import { RATIONALE_ANSWERS, RATIONALE_UNCITED_ANSWER } from '../../../electron/engine/align/templates.ts';
import type { ItemRecord } from '../../../electron/engine/data/preprocess.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { type AlignmentExports, anchorHistory } from '../../../electron/engine/recommender/export/index.ts';
import { type AlignFixture, alignFixture, scoringRecommender } from './align-fixtures.ts';

/** score(t | h) = bias(t) + Σ_{i ∈ h} weight(i): removing i drops every score by exactly weight(i). */
function additiveRecommender(numItems: number, weight: (i: number) => number) {
  return scoringRecommender(numItems, (history) => {
    let sum = 0;
    for (const i of history) sum += weight(i);
    const row = new Float32Array(numItems + 1);
    for (let t = 1; t <= numItems; t++) row[t] = (t % 5) + sum;
    return row;
  });
}

describe('leaveOneOutDrops', () => {
  it('gives each removed item its contribution, batching all requests', async () => {
    const weight = (i: number) => i * 2 - 7;
    const rec = additiveRecommender(10, weight);
    const queries = [
      { user: 1, history: Uint32Array.from([1, 2, 3, 4]), target: 5, last: 3 },
      { user: 2, history: Uint32Array.from([9, 8]), target: 1, last: 2 },
      { user: 3, history: Uint32Array.from([7, 6, 5, 4, 3, 2, 1]), target: 10, last: 7 },
    ];
    const drops = await leaveOneOutDrops(rec, queries, 4);
    expect(drops.map((d) => Array.from(d))).toEqual([
      [2, 3, 4].map(weight),
      [9, 8].map(weight),
      [7, 6, 5, 4, 3, 2, 1].map(weight),
    ]);
    expect(rec.calls).toEqual([4, 4, 4, 3]); // 4 + 3 + 8 requests
  });

  it('cites the largest positive drops, ties to the more recent item', () => {
    expect(citedIndices(Float64Array.from([1, 3, 3, -2, 0.5]))).toEqual([2, 1]);
    expect(citedIndices(Float64Array.from([-1, 0.2, 0]))).toEqual([1]);
    expect(citedIndices(Float64Array.from([-1, 0, 0]))).toEqual([]);
  });
});

describe('task 7 explanations', () => {
  const records: ItemRecord[] = [
    { id: 1, sourceId: 'a', title: 'Alpha', attributes: { genres: ['Sci-Fi'], brand: 'Acme' } },
    { id: 2, sourceId: 'b', title: 'Beta', attributes: { genres: ['Drama'], brand: 'Other' } },
    { id: 3, sourceId: 'c', title: 'Gamma', attributes: { genres: ['Sci-Fi', 'Comedy'] } },
    { id: 4, sourceId: 'd', title: 'Delta', attributes: { genres: ['Sci-Fi', 'Drama'], brand: 'Acme' } },
    { id: 5, sourceId: 'e', title: 'Epsilon', attributes: {} },
  ];
  const ctx: TaskContext = {
    method: 'B',
    historyLength: 9,
    dataset: {
      numUsers: 1,
      numItems: 5,
      offsets: Uint32Array.from([0, 5]),
      items: Uint32Array.from([1, 2, 3, 4, 5]),
      itemRecords: records,
    },
    exports: {
      user: Int32Array.from([1]),
      position: Int32Array.from([3]),
      top1: Int32Array.from([4]),
    } as unknown as AlignmentExports,
  };
  const explain = async (weights: number[]) => {
    const rec = additiveRecommender(5, (i) => weights[i - 1]);
    const [e] = await buildRationaleExamples(ctx, [{ row: 0, split: 'train' }], rec, new Rng(1));
    return e;
  };
  const templateOf = (cited: string, shared: string) =>
    RATIONALE_ANSWERS.map((t) => t.replace('{item}', 'Delta').replace('{cited}', cited).replace('{shared}', shared));

  it('names the two items that raise the score most and the theme they share with the item', async () => {
    const e = await explain([1, -1, 2, 0, 0]);
    expect(e.meta).toMatchObject({ top1: 4, cited: [3, 1], drops: [2, 1], sharedAttributes: ['Sci-Fi', 'Acme'] });
    expect(templateOf('Gamma and Alpha', ', which share its Sci-Fi theme and its brand Acme')).toContain(e.answer);
  });

  it('one cited item, several shared themes', async () => {
    const e = await explain([-1, 0, 0, 0, 0]);
    expect(e.meta.cited).toEqual([]);
    expect(e.answer).toBe(RATIONALE_UNCITED_ANSWER.replace('{item}', 'Delta'));
    const one = await explain([0, 0, 5, 0, 0]);
    expect(templateOf('Gamma', ', which shares its Sci-Fi theme')).toContain(one.answer);
    const two = await explain([0, 4, 5, 0, 0]);
    expect(templateOf('Gamma and Beta', ', which share its Sci-Fi and Drama themes')).toContain(two.answer);
  });
});

describe('task 7 through generateTasks', () => {
  let fx: AlignFixture;
  beforeAll(async () => {
    fx = await alignFixture();
  });

  it('cites the history items with the largest leave-one-out drop under the recommender', async () => {
    const weight = (i: number) => ((i * 7) % 11) - 3;
    const rec = additiveRecommender(fx.dataset.numItems, weight);
    const set = await generateTasks({
      method: 'H',
      exports: fx.exports,
      dataset: fx.dataset,
      recommender: rec,
      seed: 4,
      tasks: [7],
      counts: { 7: { train: 40, test: 10 } },
      scoreBatchSize: 50,
    });
    expect(set.counts[7]).toEqual({ train: 40, test: 10 });
    let requests = 0;
    for (const e of set.examples) {
      const h = anchorHistory(fx.dataset, e.user, fx.exports.position[e.anchor]);
      const last = Array.from(h.slice(-9));
      requests += 1 + last.length;
      expect(e.meta.top1).toBe(fx.exports.top1[e.anchor]);
      expect(e.meta.historyItems).toEqual(last);
      const expected = last
        .map((item, k) => ({ item, k, w: weight(item) }))
        .filter((x) => x.w > 0)
        .sort((a, b) => b.w - a.w || b.k - a.k)
        .slice(0, 2);
      expect(e.meta.cited).toEqual(expected.map((x) => x.item));
      expect(e.meta.drops).toEqual(expected.map((x) => x.w));
      for (const i of e.meta.cited!) expect(e.answer).toContain(fx.dataset.itemRecords[i - 1].title);
      expect(e.answer).toContain(fx.dataset.itemRecords[e.meta.top1! - 1].title);
    }
    expect(rec.calls.reduce((a, b) => a + b, 0)).toBe(requests);
    expect(rec.calls.length).toBe(Math.ceil(requests / 50));
  });
});
