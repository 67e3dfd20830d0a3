import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import {
  encodeSafetensors,
  loadSafetensors,
  writeSafetensorsStreaming,
} from '../../../electron/engine/graph/safetensors.ts';
import { Rng } from '../../../electron/engine/random.ts';
import {
  type AlignmentExportOptions,
  anchorRecords,
  exportAlignmentLabels,
  exportsDir,
  NO_ITEM,
  readExports,
} from '../../../electron/engine/recommender/export/index.ts';
import type { HistoryRequest, TargetRecommender } from '../../../electron/engine/recommender/types.ts';

const NUM_ITEMS = 30;
const DIM = 4;
const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-export-'));

/** Users with distinct items in time order; lengths 3 … 30 (30 = every item: N = 1 at the test anchor). */
function makeDataset() {
  const rng = new Rng(11);
  const lengths = [3, 4, 7, 12, 20, 30, 9, 5, 16, 28];
  const offsets = new Uint32Array(lengths.length + 1);
  const items: number[] = [];
  lengths.forEach((len, u) => {
    const perm = rng.shuffle(Array.from({ length: NUM_ITEMS }, (_, k) => k + 1));
    items.push(...perm.slice(0, len));
    offsets[u + 1] = offsets[u] + len;
  });
  return { numUsers: lengths.length, numItems: NUM_ITEMS, offsets, items: Uint32Array.from(items) };
}

const table = (() => {
  const rng = new Rng(3);
  const t = new Float32Array((NUM_ITEMS + 1) * DIM);
  for (let k = DIM; k < t.length; k++) t[k] = rng.normal();
  return t;
})();
const dot = (u: ArrayLike<number>, item: number) => {
  let s = 0;
  for (let d = 0; d < DIM; d++) s += u[d] * table[item * DIM + d];
  return s;
};
const userVector = (history: Uint32Array) => {
  const v = new Float32Array(DIM);
  for (const i of history) for (let d = 0; d < DIM; d++) v[d] += table[i * DIM + d] / history.length;
  return v;
};
/** What the fake recommender scores: float32 dot products of the mean history vector. */
const scoreRow = (history: Uint32Array) => {
  const u = userVector(history);
  const row = new Float32Array(NUM_ITEMS + 1);
  row[0] = Number.NEGATIVE_INFINITY;
  for (let i = 1; i <= NUM_ITEMS; i++) row[i] = dot(u, i);
  return row;
};

function fakeRecommender(failOnCall = Number.POSITIVE_INFINITY): TargetRecommender & { calls: number[] } {
  const calls: number[] = [];
  return {
    kind: 'mf',
    numItems: NUM_ITEMS,
    dim: DIM,
    canScore: true,
    calls,
    async encodeUsers(reqs: HistoryRequest[]) {
      const out = new Float32Array(reqs.length * DIM);
      for (const [k, r] of reqs.entries()) out.set(userVector(r.history), k * DIM);
      return out;
    },
    itemTable: () => table,
    async scoreAll(reqs: HistoryRequest[]) {
      calls.push(reqs.length);
      if (calls.length >= failOnCall) throw new Error('device lost');
      const out = new Float32Array(reqs.length * (NUM_ITEMS + 1));
      for (const [k, r] of reqs.entries()) out.set(scoreRow(r.history), k * (NUM_ITEMS + 1));
      return out;
    },
    async release() {},
  };
}

const ds = makeDataset();
const baseOptions = (projectDir: string, over: Partial<AlignmentExportOptions> = {}): AlignmentExportOptions => ({
  projectDir,
  dataset: ds,
  dataContentHash: 'hash-1',
  recommender: fakeRecommender(),
  seed: 42,
  sessionSettings: { providers: ['cpu'], threads: 1 },
  ...over,
});
const userSeq = (u: number) => ds.items.subarray(ds.offsets[u - 1], ds.offsets[u]);
/** Non-history items in model order (score descending, ties by lower id). */
const ranking = (history: Uint32Array) => {
  const row = scoreRow(history);
  const h = new Set(history);
  const ids: number[] = [];
  for (let i = 1; i <= NUM_ITEMS; i++) if (!h.has(i)) ids.push(i);
  return ids.sort((a, b) => row[b] - row[a] || a - b);
};

describe('exportAlignmentLabels (scoring recommender)', async () => {
  const projectDir = tmp();
  const progress: [number, number, string][] = [];
  const summary = await exportAlignmentLabels(
    baseOptions(projectDir, { batchSize: 7, onProgress: (d, t, p) => progress.push([d, t, p]) }),
  );
  const exp = await readExports(projectDir);
  const records = [...anchorRecords(exp, ds)];

  it('anchors are exactly the training positions 1…T−1 plus the test position of every user', () => {
    for (let u = 1; u <= ds.numUsers; u++) {
      const len = userSeq(u).length;
      const mine = records.filter((r) => r.user === u);
      const expected = [...Array.from({ length: len - 3 }, (_, k) => k + 1), len - 1];
      expect(mine.map((r) => r.position)).toEqual(expected);
      expect(mine.map((r) => r.isTest)).toEqual(expected.map((p) => p === len - 1));
      for (const r of mine.filter((x) => !x.isTest)) expect(r.position).toBeLessThanOrEqual(len - 3); // target is a training item
      expect(mine.at(-1)?.history).toEqual(userSeq(u).subarray(0, len - 1));
    }
    expect(summary.counts.anchors).toBe(records.length);
    expect(summary.counts.testAnchors).toBe(ds.numUsers);
    expect(summary.counts.trainAnchors).toBe(records.length - ds.numUsers);
  });

  it('top1 is the true argmax over non-history items, never in the history', () => {
    for (const r of records) {
      const order = ranking(r.history);
      expect(r.history.includes(r.top1!.item)).toBe(false);
      expect(r.top1!.item).toBe(order[0]);
      expect(r.top1!.score).toBe(scoreRow(r.history)[order[0]]);
    }
  });

  it('candidates are min(5, N) distinct non-history items sorted by score', () => {
    for (const r of records) {
      const order = ranking(r.history);
      const items = r.candidates.map((c) => c.item);
      expect(items.length).toBe(Math.min(5, order.length));
      expect(new Set(items).size).toBe(items.length);
      for (const i of items) expect(r.history.includes(i)).toBe(false);
      const ranks = items.map((i) => order.indexOf(i));
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      const row = scoreRow(r.history);
      expect(r.candidates.map((c) => c.score)).toEqual(items.map((i) => row[i]));
    }
  });

  it('pos lies in ranks [0, ⌊N/5⌋) and neg in ranks (⌊N/2⌋, N−1], omitted when N is too small', () => {
    let withPos = 0;
    for (const r of records) {
      const order = ranking(r.history);
      const n = order.length;
      const row = scoreRow(r.history);
      if (n < 5) expect(r.pos).toBeNull();
      else {
        withPos++;
        expect(order.indexOf(r.pos!.item)).toBeLessThan(Math.floor(n / 5));
        expect(r.pos!.score).toBeGreaterThanOrEqual(row[order[Math.floor(n / 5)]]);
      }
      if (n < 3) expect(r.neg).toBeNull();
      else {
        expect(order.indexOf(r.neg!.item)).toBeGreaterThan(Math.floor(n / 2));
        expect(r.neg!.score).toBeLessThanOrEqual(row[order[Math.floor(n / 2)]]);
      }
    }
    expect(summary.counts.withPos).toBe(withPos);
    expect(withPos).toBeLessThan(records.length); // the 30-item user's test anchor has N = 1
    expect(summary.notes.some((n) => n.startsWith('pos omitted for'))).toBe(true);
  });

  it('stores user vectors and sim_item (argmax dot product over the other items)', () => {
    for (const r of records) expect(Array.from(r.userVector!)).toEqual(Array.from(userVector(r.history)));
    expect(exp.simItem![0]).toBe(NO_ITEM);
    for (let i = 1; i <= NUM_ITEMS; i++) {
      let best = -1;
      for (let j = 1; j <= NUM_ITEMS; j++) {
        if (j !== i && (best < 0 || dot(table.subarray(i * DIM), j) > dot(table.subarray(i * DIM), best))) best = j;
      }
      expect(exp.simItem![i]).toBe(best);
      expect(exp.simScore![i]).toBeCloseTo(dot(table.subarray(i * DIM), best), 5);
    }
  });

  it('scores in batches, reports progress and writes the summary', () => {
    const n = records.length;
    expect(progress.filter((p) => p[2] === 'anchors').map((p) => p[0])).toEqual(
      Array.from({ length: Math.ceil(n / 7) }, (_, k) => Math.min(n, (k + 1) * 7)),
    );
    expect(progress.at(-1)).toEqual([n + NUM_ITEMS, n + NUM_ITEMS, 'items']);
    expect(readdirSync(exportsDir(projectDir)).sort()).toEqual([
      'anchors.safetensors',
      'items.safetensors',
      'summary.json',
    ]);
    expect(summary).toMatchObject({
      seed: 42,
      dataContentHash: 'hash-1',
      recommender: { kind: 'mf', numItems: NUM_ITEMS, dim: DIM, canScore: true },
      parameters: { maxAnchorsPerUser: null, batchSize: 7, anchors: 'train+test' },
      hasUserVectors: true,
      hasSimItem: true,
    });
    expect(summary.notes[0]).toContain('eval mode');
    expect(JSON.parse(readFileSync(path.join(exportsDir(projectDir), 'summary.json'), 'utf8'))).toEqual(summary);
  });

  it('iterates test or training anchors only', () => {
    expect([...anchorRecords(exp, ds, 'test')].length).toBe(ds.numUsers);
    expect([...anchorRecords(exp, ds, 'train')].every((r) => !r.isTest)).toBe(true);
  });
});

describe('determinism', () => {
  const files = (dir: string) =>
    ['anchors.safetensors', 'items.safetensors'].map((f) => readFileSync(path.join(exportsDir(dir), f)));

  it('same seed gives byte-identical files whatever the batch size; another seed changes only the random labels', async () => {
    const [a, b, c] = [tmp(), tmp(), tmp()];
    const sa = await exportAlignmentLabels(baseOptions(a, { batchSize: 256 }));
    const sb = await exportAlignmentLabels(baseOptions(b, { batchSize: 3 }));
    await exportAlignmentLabels(baseOptions(c, { seed: 43 }));
    expect(files(a)).toEqual(files(b));
    const strip = (s: typeof sa) => ({
      ...s,
      createdAt: '',
      timingSeconds: null,
      parameters: { ...s.parameters, batchSize: 0 },
    });
    expect(strip(sa)).toEqual(strip(sb));
    const [ea, ec] = [await readExports(a), await readExports(c)];
    expect(ec.top1).toEqual(ea.top1);
    expect(ec.top1Score).toEqual(ea.top1Score);
    expect(ec.candidates).not.toEqual(ea.candidates);
    expect(ec.pos).not.toEqual(ea.pos);
    expect(ec.neg).not.toEqual(ea.neg);
  });
});

describe('maxAnchorsPerUser', () => {
  it('keeps the test anchor and a seeded subset of training anchors in position order', async () => {
    const dirs = [tmp(), tmp()];
    const summary = await exportAlignmentLabels(baseOptions(dirs[0], { maxAnchorsPerUser: 3 }));
    await exportAlignmentLabels(baseOptions(dirs[1], { maxAnchorsPerUser: 3 }));
    const exp = await readExports(dirs[0]);
    expect(exp.position).toEqual((await readExports(dirs[1])).position);
    let capped = 0;
    for (let u = 1; u <= ds.numUsers; u++) {
      const len = userSeq(u).length;
      const mine = [...anchorRecords(exp, ds)].filter((r) => r.user === u);
      const train = mine.filter((r) => !r.isTest).map((r) => r.position);
      expect(mine.length).toBe(Math.min(3, len - 2));
      expect(mine.at(-1)).toMatchObject({ isTest: true, position: len - 1 });
      expect(train).toEqual([...train].sort((a, b) => a - b));
      for (const p of train) expect(p >= 1 && p <= len - 3).toBe(true);
      if (len - 2 > 3) capped++;
    }
    expect(summary.counts.cappedUsers).toBe(capped);
    expect(summary.parameters.maxAnchorsPerUser).toBe(3);
    await expect(exportAlignmentLabels(baseOptions(tmp(), { maxAnchorsPerUser: 0 }))).rejects.toThrow(RangeError);
  });
});

describe('list-only recommenders', () => {
  const lists = new Map<number, Uint32Array>();
  for (let u = 1; u <= ds.numUsers; u++) {
    const seq = userSeq(u);
    // The user's own items mixed in; user 2 gets a short list (no pos).
    const base = Array.from({ length: NUM_ITEMS }, (_, k) => NUM_ITEMS - k);
    lists.set(u, Uint32Array.from(u === 2 ? [seq[0], 5, 6, 5] : [seq[0], ...base.slice(0, 12)]));
  }
  const listRecommender: TargetRecommender = {
    kind: 'lists',
    numItems: NUM_ITEMS,
    dim: null,
    canScore: false,
    encodeUsers: () => Promise.reject(new Error('no vectors')),
    itemTable: () => {
      throw new Error('no table');
    },
    scoreAll: () => Promise.reject(new Error('no scores')),
    recommendationList: (u) => lists.get(u)!,
    async release() {},
  };

  it('labels the test anchor from the list filtered to non-history items; no vectors, scores or sim_item', async () => {
    const dir = tmp();
    const summary = await exportAlignmentLabels(baseOptions(dir, { recommender: listRecommender }));
    const exp = await readExports(dir);
    expect(readdirSync(exportsDir(dir)).sort()).toEqual(['anchors.safetensors', 'summary.json']);
    expect(exp.userVectors).toBeNull();
    expect(exp.simItem).toBeNull();
    expect(summary.parameters.anchors).toBe('test');
    const records = [...anchorRecords(exp, ds)];
    expect(records.length).toBe(ds.numUsers);
    let withPos = 0;
    for (const r of records) {
      const h = new Set(r.history);
      const filtered = [...new Set(lists.get(r.user)!)].filter((i) => !h.has(i));
      expect(r.isTest).toBe(true);
      expect(r.top1?.item).toBe(filtered[0]);
      expect(Number.isNaN(r.top1!.score)).toBe(true);
      const ranks = r.candidates.map((c) => filtered.indexOf(c.item));
      expect(ranks.every((k) => k >= 0)).toBe(true);
      expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
      expect(ranks.length).toBe(Math.min(5, filtered.length));
      const m = filtered.length;
      if (m >= 5) {
        withPos++;
        expect(filtered.indexOf(r.pos!.item)).toBeLessThan(Math.floor(m / 5));
      } else expect(r.pos).toBeNull();
      if (m >= 3) expect(filtered.indexOf(r.neg!.item)).toBeGreaterThan(Math.floor(m / 2));
      else expect(r.neg).toBeNull();
    }
    expect(withPos).toBeLessThan(ds.numUsers); // user 2's short list, and users who consumed most of theirs
    expect(summary.counts.withPos).toBe(withPos);
    expect(summary.notes.join(' ')).toMatch(
      new RegExp(`list-only.*pos omitted for ${ds.numUsers - withPos} anchors`, 's'),
    );
  });
});

describe('atomicity and errors', () => {
  it('a recommender failing mid-export leaves the previous exports untouched', async () => {
    const dir = tmp();
    await exportAlignmentLabels(baseOptions(dir));
    const before = readdirSync(exportsDir(dir)).map((f) => [f, readFileSync(path.join(exportsDir(dir), f))]);
    await expect(
      exportAlignmentLabels(baseOptions(dir, { seed: 7, batchSize: 4, recommender: fakeRecommender(3) })),
    ).rejects.toThrow('device lost');
    const after = readdirSync(exportsDir(dir)).map((f) => [f, readFileSync(path.join(exportsDir(dir), f))]);
    expect(after).toEqual(before);
    expect(readdirSync(path.join(dir, 'recommender'))).toEqual(['exports']);
  });

  it('a failure on the first export creates nothing', async () => {
    const dir = tmp();
    await expect(exportAlignmentLabels(baseOptions(dir, { recommender: fakeRecommender(1) }))).rejects.toThrow();
    expect(existsSync(exportsDir(dir))).toBe(false);
  });

  it('names the anchor when the recommender returns NaN, and refuses a mismatched item count', async () => {
    const rec = fakeRecommender();
    const scoreAll = rec.scoreAll.bind(rec);
    const seq4 = userSeq(4);
    const victim = [1, 2, 3, 4].find((i) => i !== seq4[0] && i !== seq4[1])!;
    rec.scoreAll = async (reqs) => {
      const s = await scoreAll(reqs);
      const row = reqs.findIndex((r) => r.user === 4 && r.history.length === 2);
      if (row >= 0) s[row * (NUM_ITEMS + 1) + victim] = Number.NaN;
      return s;
    };
    const dir = tmp();
    await expect(exportAlignmentLabels(baseOptions(dir, { recommender: rec, batchSize: 1000 }))).rejects.toThrow(
      `anchor (user 4, position 2): recommender returned NaN for item ${victim}`,
    );
    const other = { ...fakeRecommender(), numItems: NUM_ITEMS + 1 };
    await expect(exportAlignmentLabels(baseOptions(dir, { recommender: other }))).rejects.toThrow(InputError);
  });

  it('readExports reports a missing export as a user error', async () => {
    await expect(readExports(tmp())).rejects.toThrow(/no recommender exports found/);
  });
});

describe('writeSafetensorsStreaming', () => {
  it('writes the same bytes as encodeSafetensors', async () => {
    const tensors = {
      b: { dtype: 'float32' as const, dims: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6]) },
      a: { dtype: 'int32' as const, dims: [3], data: Int32Array.from([-1, 0, 7]) },
      c: { dtype: 'uint8' as const, dims: [0], data: new Uint8Array(0) },
    };
    const file = path.join(tmp(), 'x.safetensors');
    await writeSafetensorsStreaming(file, tensors, { k: 'v' });
    expect(new Uint8Array(readFileSync(file))).toEqual(encodeSafetensors(tensors, { k: 'v' }));
    expect((await loadSafetensors(file)).tensors.get('a')?.data).toEqual(tensors.a.data);
  });
});
