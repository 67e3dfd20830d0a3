/**
 * The explorer's reads on a small trained SASRec project, checked against the recommender called
 * directly; the list-only path on an imported recommendation list; and the LRU of loaded projects.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attributionSchema, userDetailSchema, userRowSchema } from '../../../electron/contracts/api.ts';
import { readDataset } from '../../../electron/engine/data/dataset-store.ts';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import type { ProcessedDataset } from '../../../electron/engine/data/preprocess.ts';
import { InputError } from '../../../electron/engine/errors.ts';
import {
  attribution,
  listUsers,
  MAX_ATTRIBUTED_HISTORY,
  releaseExplorer,
  userDetail,
} from '../../../electron/engine/explain/explorer.ts';
import { importExternalRecommender } from '../../../electron/engine/recommender/external/index.ts';
import { loadRecommender } from '../../../electron/engine/recommender/load-recommender.ts';
import type { TargetRecommender } from '../../../electron/engine/recommender/types.ts';
import { datasetIds, datasetProject, FIXTURES } from '../recommender/external-helpers.ts';
import { sasrecProject } from './explain-fixtures.ts';

let project = '';
let ds: ProcessedDataset;
let rec: TargetRecommender;

const historyOf = (u: number) => ds.items.slice(ds.offsets[u - 1], ds.offsets[u] - 1);
const titleOf = (i: number) => ds.itemRecords[i - 1].title;

beforeAll(async () => {
  project = await sasrecProject();
  ds = (await readDataset(project)).dataset;
  rec = await loadRecommender(project, 1);
}, 60_000);

afterAll(async () => {
  await rec?.release();
  await releaseExplorer();
});

describe('listUsers', () => {
  it('lists every user with the test-anchor history length and the last 3 titles, paged', async () => {
    const all = await listUsers(project, { offset: 0, limit: 200 });
    expect(all.total).toBe(ds.numUsers);
    expect(all.users.map((r) => r.user)).toEqual(Array.from({ length: ds.numUsers }, (_, k) => k + 1));
    for (const row of all.users) {
      userRowSchema.parse(row);
      const h = historyOf(row.user);
      expect(row.historyLength).toBe(h.length);
      expect(row.recent).toEqual(Array.from(h.slice(-3), titleOf));
    }
    const page = await listUsers(project, { offset: 5, limit: 3 });
    expect(page).toEqual({ total: ds.numUsers, users: all.users.slice(5, 8) });
  });

  it('filters by user id or by a history title substring, case-insensitively', async () => {
    const byId = await listUsers(project, { query: ' 7 ', offset: 0, limit: 200 });
    expect(byId.users.map((r) => r.user)).toContain(7);
    const title = titleOf(historyOf(3)[0]);
    const word = title.split(' ').sort((a, b) => b.length - a.length)[0];
    const byTitle = await listUsers(project, { query: word.toUpperCase(), offset: 0, limit: 200 });
    const expected = [];
    for (let u = 1; u <= ds.numUsers; u++) {
      if (Array.from(historyOf(u)).some((i) => titleOf(i).toLowerCase().includes(word.toLowerCase()))) expected.push(u);
    }
    expect(byTitle.users.map((r) => r.user)).toEqual(expected);
    expect(byTitle.total).toBe(expected.length);
    expect(expected).toContain(3);
    expect(await listUsers(project, { query: 'no title has this', offset: 0, limit: 10 })).toEqual({
      total: 0,
      users: [],
    });
  });
});

describe('userDetail and attribution', () => {
  it('gives the test-anchor history and the recommender’s top-k without history items', async () => {
    const user = 4;
    const d = userDetailSchema.parse(await userDetail(project, user, 5));
    const h = historyOf(user);
    expect(d.history.map((v) => v.item)).toEqual(Array.from(h));
    expect(d.history[0]).toEqual({ item: h[0], title: titleOf(h[0]), attributes: ds.itemRecords[h[0] - 1].attributes });
    const scores = await rec.scoreAll([{ user, history: h }]);
    const ranked = Array.from({ length: ds.numItems }, (_, k) => k + 1)
      .filter((i) => !h.includes(i))
      .sort((a, b) => scores[b] - scores[a] || a - b);
    expect(d.topK.map((t) => t.item)).toEqual(ranked.slice(0, 5));
    expect(d.topK.map((t) => t.rank)).toEqual([1, 2, 3, 4, 5]);
    d.topK.forEach((t) => {
      expect(t.score).toBeCloseTo(scores[t.item], 5);
    });
  });

  it('attributes an item’s score to each history item by leave-one-out, in history order', async () => {
    const user = 9;
    const h = historyOf(user);
    const d = await userDetail(project, user, 3);
    const item = d.topK[2].item;
    const a = attributionSchema.parse(await attribution(project, user, item));
    expect(a.rank).toBe(3);
    expect(a.score).toBeCloseTo(d.topK[2].score, 5);
    const last = Math.min(MAX_ATTRIBUTED_HISTORY, h.length);
    const kept = Array.from(h.slice(h.length - last));
    expect(a.contributions.map((c) => c.item)).toEqual(kept);
    expect(a.contributions.map((c) => c.title)).toEqual(kept.map(titleOf));
    // Hand check of one drop: rescore without the second-to-last item.
    const j = h.length - 2;
    const without = new Uint32Array([...h.slice(0, j), ...h.slice(j + 1)]);
    const s = await rec.scoreAll([{ user, history: without }]);
    expect(a.contributions.at(-2)!.drop).toBeCloseTo(a.score - s[item], 4);
    expect(a.contributions.some((c) => c.drop !== 0)).toBe(true);
  });

  it('names an unknown user or item in an InputError', async () => {
    await expect(userDetail(project, ds.numUsers + 1, 5)).rejects.toThrow(InputError);
    await expect(userDetail(project, 0, 5)).rejects.toThrow(/user 0 /);
    await expect(attribution(project, 1, ds.numItems + 3)).rejects.toThrow(new RegExp(`item ${ds.numItems + 3} `));
  });
});

describe('list-only recommenders and the cache', () => {
  it('ranks an imported list with reciprocal-rank scores, history items left out', async () => {
    const p = await datasetProject();
    const ids = await datasetIds(p);
    await importExternalRecommender(p, { level: 'lists', lists: path.join(FIXTURES, 'lists', 'recs.csv') });
    const user = ids.user('user-0001');
    const d = await userDetail(p, user, 10);
    const h = new Set(d.history.map((v) => v.item));
    const listed = ['item-0005', 'item-0012', 'item-0030'].map(ids.item).filter((i) => !h.has(i));
    expect(d.topK.map((t) => t.item)).toEqual(listed);
    expect(d.topK.map((t) => t.score)).toEqual(listed.map((_, r) => 1 / (r + 1)));
    await expect(attribution(p, user, listed[0])).rejects.toThrow(/recommendation lists/);
    await releaseExplorer(p);
  });

  it('reloads after a re-import changes the files, and reports a removed dataset', async () => {
    const p = await datasetProject();
    const first = await listUsers(p, { offset: 0, limit: 1 });
    await importDataset({
      format: 'synthetic',
      project: p,
      synthetic: { users: 12, items: 20 },
      kCore: 0,
      force: true,
    });
    const second = await listUsers(p, { offset: 0, limit: 1 });
    expect(second.total).toBe(12);
    expect(second.total).not.toBe(first.total);
    rmSync(path.join(p, 'data'), { recursive: true });
    await expect(listUsers(p, { offset: 0, limit: 1 })).rejects.toThrow(/no dataset found/);
  });
});
