import { describe, expect, it } from 'vitest';
import { importSynthetic } from '../../../electron/engine/data/importers/synthetic.ts';
import type { RawDataset } from '../../../electron/engine/data/raw-dataset.ts';
import { InputError } from '../../../electron/engine/errors.ts';

const generate = (seed: number, users = 400, items = 300) =>
  importSynthetic({ seed, maxInteractions: 10_000_000, synthetic: { users, items } });

/** Everything a consumer can see, with the typed arrays cut to `length`. */
function comparable(ds: RawDataset) {
  return {
    ...ds,
    user: Array.from(ds.user.subarray(0, ds.length)),
    item: Array.from(ds.item.subarray(0, ds.length)),
    time: Array.from(ds.time.subarray(0, ds.length)),
  };
}

/** Per dense user, the dense item indices in emitted order. */
function sequences(ds: RawDataset): number[][] {
  const byUser: number[][] = ds.userIds.map(() => []);
  for (let k = 0; k < ds.length; k++) byUser[ds.user[k]].push(ds.item[k]);
  return byUser;
}

const genresOf = (ds: RawDataset, item: number) => ds.items[item].attributes.genres as string[];

describe('importSynthetic', () => {
  it('repeats exactly for the same seed and differs for another', async () => {
    const a = comparable(await generate(11));
    const b = comparable(await generate(11));
    const c = comparable(await generate(12));
    expect(b).toEqual(a);
    expect(c.item).not.toEqual(a.item);
    expect(c.items.map((it) => it.title)).not.toEqual(a.items.map((it) => it.title));
  });

  it('honours the requested size and defaults to about 1,000 users and 500 items', async () => {
    const ds = await generate(1, 123, 77);
    expect(ds.format).toBe('synthetic');
    expect(ds.sources).toEqual([]);
    expect(ds.userIds).toHaveLength(123);
    expect(ds.itemIds).toHaveLength(77);
    expect(ds.itemIds[0]).toBe('item-0001');
    const byDefault = await importSynthetic({ seed: 1, maxInteractions: 10_000_000 });
    expect(byDefault.userIds).toHaveLength(1000);
    expect(byDefault.itemIds).toHaveLength(500);
    const categories = byDefault.groundTruth!.categories;
    expect(categories.length).toBeGreaterThanOrEqual(12);
    expect(categories.length).toBeLessThanOrEqual(16);
  });

  it('gives every item a unique, readable title and its attributes', async () => {
    const ds = await importSynthetic({ seed: 5, maxInteractions: 10_000_000 });
    const titles = ds.items.map((it) => it.title!);
    expect(new Set(titles.map((t) => t.toLowerCase())).size).toBe(titles.length);
    expect(ds.hasTitles).toBe(true);
    for (const [i, it] of ds.items.entries()) {
      expect(it.title).toMatch(/^[A-Z][A-Za-z0-9 ,'&-]+$/);
      expect(it.title).not.toContain(';');
      const genres = it.attributes.genres as string[];
      expect(genres.length === 1 || genres.length === 2).toBe(true);
      expect(typeof it.attributes.brand).toBe('string');
      expect(it.attributes.year).toBeGreaterThanOrEqual(1900);
      expect(ds.groundTruth!.itemCategories[ds.itemIds[i]]).toEqual(genres);
    }
  });

  it('keeps titles unique when the word lists run out', async () => {
    const ds = await importSynthetic({ seed: 2, maxInteractions: 10_000_000, synthetic: { users: 10, items: 15_000 } });
    const titles = ds.items.map((it) => it.title!);
    expect(new Set(titles).size).toBe(titles.length);
    expect(titles.every((t) => !t.includes(';'))).toBe(true);
  });

  it('never repeats an item within a user and keeps each user’s times strictly increasing', async () => {
    const ds = await generate(3);
    const seen = ds.userIds.map(() => new Set<number>());
    const lastTime = ds.userIds.map(() => Number.NEGATIVE_INFINITY);
    for (let k = 0; k < ds.length; k++) {
      const u = ds.user[k];
      expect(seen[u].has(ds.item[k])).toBe(false);
      seen[u].add(ds.item[k]);
      expect(ds.time[k]).toBeGreaterThan(lastTime[u]);
      lastTime[u] = ds.time[k];
    }
    expect(Math.min(...seen.map((s) => s.size))).toBeGreaterThanOrEqual(8);
  });

  it('records a drift that replaces exactly one favoured category', async () => {
    const ds = await generate(4);
    for (const { initial, drifted } of Object.values(ds.groundTruth!.userInterests)) {
      expect(initial.length === 2 || initial.length === 3).toBe(true);
      expect(drifted).toHaveLength(initial.length);
      expect(drifted.filter((c) => !initial.includes(c))).toHaveLength(1);
    }
  });

  it('mostly follows each user’s interests, and the drifted ones more in the second half', async () => {
    const ds = await importSynthetic({ seed: 6, maxInteractions: 10_000_000 });
    const interests = ds.groundTruth!.userInterests;
    let inInterest = 0;
    const driftedOnly = { first: 0, second: 0 };
    const total = { first: 0, second: 0 };
    for (const [u, seq] of sequences(ds).entries()) {
      const { initial, drifted } = interests[ds.userIds[u]];
      const gained = drifted.filter((c) => !initial.includes(c));
      for (const [step, item] of seq.entries()) {
        const genres = genresOf(ds, item);
        if (genres.some((c) => initial.includes(c) || drifted.includes(c))) inInterest++;
        const half = step < seq.length / 2 ? 'first' : 'second';
        total[half]++;
        if (genres.some((c) => gained.includes(c))) driftedOnly[half]++;
      }
    }
    // Measured about 0.93, 0.06 and 0.36 for this seed.
    expect(inInterest / ds.length).toBeGreaterThan(0.85);
    const firstShare = driftedOnly.first / total.first;
    const secondShare = driftedOnly.second / total.second;
    expect(firstShare).toBeLessThan(0.15);
    expect(secondShare).toBeGreaterThan(2 * firstShare + 0.1);
  });

  it('makes a few items far more popular than the rest', async () => {
    const ds = await importSynthetic({ seed: 7, maxInteractions: 10_000_000 });
    const counts = new Array<number>(ds.itemIds.length).fill(0);
    for (let k = 0; k < ds.length; k++) counts[ds.item[k]]++;
    counts.sort((a, b) => b - a);
    const top = counts.slice(0, Math.ceil(counts.length / 10)).reduce((a, b) => a + b, 0);
    // Measured about a third of all interactions.
    expect(top / ds.length).toBeGreaterThan(0.22);
  });

  it('has a sequential signal: consecutive items share a category more often than a user’s items at random', async () => {
    const ds = await importSynthetic({ seed: 8, maxInteractions: 10_000_000 });
    const shares = (a: number, b: number) => genresOf(ds, a).some((c) => genresOf(ds, b).includes(c));
    let consecutive = 0;
    let pairs = 0;
    let distant = 0;
    let distantPairs = 0;
    for (const seq of sequences(ds)) {
      for (let s = 1; s < seq.length; s++) {
        pairs++;
        if (shares(seq[s - 1], seq[s])) consecutive++;
        for (let t = s + 3; t < seq.length; t += 3) {
          distantPairs++;
          if (shares(seq[s - 1], seq[t])) distant++;
        }
      }
    }
    // Measured about 0.71 against 0.35.
    expect(consecutive / pairs).toBeGreaterThan(distant / distantPairs + 0.2);
  });

  it('reports progress up to the number of users', async () => {
    const calls: [number, number, string][] = [];
    await importSynthetic({
      seed: 9,
      maxInteractions: 10_000_000,
      synthetic: { users: 50, items: 40 },
      onProgress: (done, total, label) => calls.push([done, total, label]),
    });
    expect(calls.at(-1)).toEqual([50, 50, 'generating']);
  });

  it('refuses sizes below the minimum with an InputError naming the option', async () => {
    const opts = (users: number, items: number) => ({ seed: 1, maxInteractions: 1e6, synthetic: { users, items } });
    await expect(importSynthetic(opts(9, 100))).rejects.toThrow(InputError);
    await expect(importSynthetic(opts(9, 100))).rejects.toThrow(/--users .*10/);
    await expect(importSynthetic(opts(100, 19))).rejects.toThrow(/--items .*20/);
    await expect(importSynthetic(opts(12.5, 100))).rejects.toThrow(/--users/);
  });

  it('works at the minimum size', async () => {
    const ds = await generate(10, 10, 20);
    expect(ds.userIds).toHaveLength(10);
    expect(ds.length).toBeGreaterThanOrEqual(10 * 8);
  });
});
