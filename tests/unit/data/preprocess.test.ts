import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { datasetFileContents } from '../../../electron/engine/data/dataset-store.ts';
import { type ProcessedDataset, preprocess } from '../../../electron/engine/data/preprocess.ts';
import { type RawDataset, RawDatasetBuilder } from '../../../electron/engine/data/raw-dataset.ts';
import { leaveOneOutSplit } from '../../../electron/engine/data/split.ts';
import { RecxError } from '../../../electron/engine/errors.ts';

type Row = [user: string, item: string, time: number];

function rawOf(rows: Row[], titles: Record<string, string | null> = {}): RawDataset {
  const b = new RawDatasetBuilder('test');
  for (const [id, t] of Object.entries(titles)) b.defineItem(id, t, {});
  for (const [u, i, t] of rows) b.add(u, i, t);
  return b.build();
}

/** The dataset as {user source id: [item source ids in order]} for readable assertions. */
function sequencesBySource(ds: ProcessedDataset): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let u = 1; u <= ds.numUsers; u++) {
    const seq = ds.items.subarray(ds.offsets[u - 1], ds.offsets[u]);
    out[ds.userSourceIds[u - 1]] = [...seq].map((i) => ds.itemRecords[i - 1].sourceId);
  }
  return out;
}

describe('preprocess (hand-computed cases)', () => {
  it('sorts by time stably and keeps the earliest of duplicate (user, item) pairs', () => {
    const rows: Row[] = [
      ['u1', 'c', 30],
      ['u1', 'a', 10],
      ['u1', 'b', 20],
      ['u1', 'a', 40], // duplicate: later than the first a, dropped
      ['u1', 'd', 20], // same time as b: file order keeps b first
    ];
    const ds = preprocess(rawOf(rows), { kCore: 0, seed: 1 });
    expect(sequencesBySource(ds)).toEqual({ u1: ['a', 'b', 'd', 'c'] });
    expect([...ds.times]).toEqual([10, 20, 20, 30]);
  });

  it('applies k-core iteratively until every user and item has k interactions', () => {
    // k=2. Item z has one interaction → removed; then u3 has one item left → removed; then item y
    // (only u3 and u1) drops to one → removed; u1 keeps x, w.
    const rows: Row[] = [
      ['u1', 'x', 1],
      ['u1', 'w', 2],
      ['u1', 'y', 3],
      ['u2', 'x', 1],
      ['u2', 'w', 2],
      ['u2', 'v', 3],
      ['u4', 'v', 1],
      ['u4', 'x', 2],
      ['u4', 'w', 3],
      ['u3', 'y', 1],
      ['u3', 'z', 2],
    ];
    const ds = preprocess(rawOf(rows), { kCore: 2, seed: 1 });
    // After the 2-core u1 keeps [x, w]; leave-one-out then needs 3, so u1 goes too.
    expect(sequencesBySource(ds)).toEqual({ u2: ['x', 'w', 'v'], u4: ['v', 'x', 'w'] });
    expect(ds.warnings.some((w) => w.includes('fewer than 3'))).toBe(true);
    expect(ds.stages.find((s) => s.stage === '2-core')).toMatchObject({ users: 3, items: 3, interactions: 8 });
  });

  it('drops untitled items when the source has titles, and cleans titles', () => {
    const rows: Row[] = ['a', 'b', 'c', 'd', 'e'].map((i, k) => ['u1', i, k] as Row);
    const titles = { a: '  "Alpha; Part 1"  ', b: 'Beta\tTwo', c: null, d: '   ', e: 'Gamma!' };
    const ds = preprocess(rawOf(rows, titles), { kCore: 0, seed: 1 });
    expect(ds.itemRecords.map((r) => r.title).sort()).toEqual(['Alpha, Part 1', 'Beta Two', 'Gamma!']);
    expect(sequencesBySource(ds)).toEqual({ u1: ['a', 'b', 'e'] });
  });

  it('keeps the top-N most frequent items and samples M users with the seed', () => {
    const rows: Row[] = [];
    for (let u = 0; u < 20; u++) for (let i = 0; i < 6; i++) rows.push([`u${u}`, `i${(u + i) % 8}`, i]);
    for (let u = 0; u < 20; u++) rows.push([`u${u}`, 'pop', 100]);
    const ds = preprocess(rawOf(rows), { kCore: 2, topItems: 3, maxUsers: 5, seed: 9 });
    expect(ds.numUsers).toBeLessThanOrEqual(5);
    expect(ds.itemRecords.map((r) => r.sourceId)).toContain('pop');
    expect(ds.numItems).toBeLessThanOrEqual(3);
    const again = preprocess(rawOf(rows), { kCore: 2, topItems: 3, maxUsers: 5, seed: 9 });
    expect(again.userSourceIds).toEqual(ds.userSourceIds);
    const other = preprocess(rawOf(rows), { kCore: 2, topItems: 3, maxUsers: 5, seed: 10 });
    expect(other.userSourceIds).not.toEqual(ds.userSourceIds);
  });

  it('says which stage emptied the dataset', () => {
    expect(() => preprocess(rawOf([['u', 'a', 1]]), { kCore: 5, seed: 1 })).toThrow(RecxError);
    expect(() => preprocess(rawOf([['u', 'a', 1]]), { kCore: 5, seed: 1 })).toThrow(/5-core: 0/);
  });
});

const rowsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 14 }).map((u) => `u${u}`),
    fc.integer({ min: 0, max: 11 }).map((i) => `i${i}`),
    fc.integer({ min: 0, max: 50 }),
  ),
  { minLength: 0, maxLength: 300 },
);
const kArb = fc.integer({ min: 1, max: 5 });

function tryPreprocess(rows: Row[], k: number, seed: number): ProcessedDataset | null {
  try {
    return preprocess(rawOf(rows), { kCore: k, seed });
  } catch (e) {
    if (e instanceof RecxError) return null;
    throw e;
  }
}

describe('preprocess invariants (property-based)', () => {
  it('after k-core every user and item has at least k interactions (and 3 per user)', () => {
    fc.assert(
      fc.property(rowsArb, kArb, (rows, k) => {
        const ds = tryPreprocess(rows, k, 1);
        if (!ds) return;
        const itemCounts = new Map<number, number>();
        for (const i of ds.items) itemCounts.set(i, (itemCounts.get(i) ?? 0) + 1);
        for (const c of itemCounts.values()) expect(c).toBeGreaterThanOrEqual(k);
        for (let u = 0; u < ds.numUsers; u++) {
          expect(ds.offsets[u + 1] - ds.offsets[u]).toBeGreaterThanOrEqual(Math.max(k, 3));
        }
      }),
    );
  });

  it('ids are contiguous from 1 and every id is used', () => {
    fc.assert(
      fc.property(rowsArb, kArb, (rows, k) => {
        const ds = tryPreprocess(rows, k, 2);
        if (!ds) return;
        expect(new Set(ds.items)).toEqual(new Set(Array.from({ length: ds.numItems }, (_, x) => x + 1)));
        expect(ds.itemRecords.map((r) => r.id)).toEqual(Array.from({ length: ds.numItems }, (_, x) => x + 1));
        expect(ds.offsets.length).toBe(ds.numUsers + 1);
        expect(ds.offsets[0]).toBe(0);
        expect(ds.offsets[ds.numUsers]).toBe(ds.items.length);
      }),
    );
  });

  it('no interaction appears in two splits, and each user is in time order', () => {
    fc.assert(
      fc.property(rowsArb, kArb, (rows, k) => {
        const ds = tryPreprocess(rows, k, 3);
        if (!ds) return;
        const split = leaveOneOutSplit(ds);
        for (let u = 1; u <= ds.numUsers; u++) {
          const train = new Set(split.trainSequence(u));
          const v = split.validation[u - 1];
          const t = split.test[u - 1];
          expect(train.has(v) || train.has(t) || v === t).toBe(false);
          expect(train.size + 2).toBe(ds.offsets[u] - ds.offsets[u - 1]);
          for (let p = ds.offsets[u - 1] + 1; p < ds.offsets[u]; p++) {
            expect(ds.times[p]).toBeGreaterThanOrEqual(ds.times[p - 1]);
          }
        }
        expect(split.sizes.train + split.sizes.validation + split.sizes.test).toBe(ds.items.length);
      }),
    );
  });

  it('keeps exactly the source interactions it claims (each kept pair exists in the input)', () => {
    fc.assert(
      fc.property(rowsArb, kArb, (rows, k) => {
        const ds = tryPreprocess(rows, k, 4);
        if (!ds) return;
        const input = new Set(rows.map(([u, i]) => `${u}|${i}`));
        const seqs = sequencesBySource(ds);
        for (const [u, items] of Object.entries(seqs)) for (const i of items) expect(input.has(`${u}|${i}`)).toBe(true);
      }),
    );
  });

  it('the same seed gives byte-identical output; re-indexing depends on the seed', () => {
    fc.assert(
      fc.property(rowsArb, kArb, fc.integer({ min: 0, max: 1000 }), (rows, k, seed) => {
        const a = tryPreprocess(rows, k, seed);
        const b = tryPreprocess(rows, k, seed);
        if (!a || !b) return;
        const fa = datasetFileContents(a);
        const fb = datasetFileContents(b);
        expect(fb.map(([n]) => n)).toEqual(fa.map(([n]) => n));
        fa.forEach(([, data], x) => {
          expect(Buffer.from(fb[x][1]).equals(Buffer.from(data))).toBe(true);
        });
      }),
    );
  });
});
