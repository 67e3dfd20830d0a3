import { describe, expect, it } from 'vitest';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { MfBatches, SasrecBatches, trainingData } from '../../../electron/engine/recommender/batches.ts';

// Two users; user 1: items 1..6 (train 1..4, valid 5, test 6); user 2: 7, 8, 9, 10, 2 (train 7, 8, 9).
const ds = {
  numUsers: 2,
  numItems: 10,
  offsets: Uint32Array.of(0, 6, 11),
  items: Uint32Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 2),
};
const rows = (t: HostTensor) => {
  const w = t.dims[1];
  const flat = Array.from(t.data as BigInt64Array, Number);
  return Array.from({ length: t.dims[0] }, (_, r) => flat.slice(r * w, (r + 1) * w));
};

describe('SASRec batches', () => {
  it('shift the training part by one, left-padded, never touching validation or test items', () => {
    const b = new SasrecBatches(trainingData(ds), 4, 2, 1, 'ce').batch(0);
    const seq = rows(b.seq);
    const labels = rows(b.labels);
    const byFirstTarget = new Map(labels.map((l, k) => [l[3], k]));
    const u1 = byFirstTarget.get(4)!;
    expect(seq[u1]).toEqual([0, 1, 2, 3]);
    expect(labels[u1]).toEqual([0, 2, 3, 4]);
    const u2 = byFirstTarget.get(9)!;
    expect(seq[u2]).toEqual([0, 0, 7, 8]);
    expect(labels[u2]).toEqual([0, 0, 8, 9]);
  });

  it('keeps the most recent maxLen positions', () => {
    const b = new SasrecBatches(trainingData(ds), 2, 2, 1, 'ce').batch(0);
    expect(
      rows(b.labels)
        .map((r) => r.join(','))
        .sort(),
    ).toEqual(['3,4', '8,9']);
  });

  it('draws BCE negatives outside the user’s training items, only where there is a target, deterministically', () => {
    const mk = () => new SasrecBatches(trainingData(ds), 4, 2, 7, 'bce');
    const a = mk().batch(3);
    expect(rows(a.neg)).toEqual(rows(mk().batch(3).neg));
    const pos = rows(a.pos);
    rows(a.neg).forEach((negs, r) => {
      const train = pos[r].includes(4) ? [1, 2, 3, 4] : [7, 8, 9];
      negs.forEach((n, k) => {
        if (pos[r][k] === 0) expect(n).toBe(0);
        else {
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(10);
          expect(train).not.toContain(n);
        }
      });
    });
  });

  it('visits every user once per epoch, in a seeded order that changes between epochs', () => {
    const users = Array.from({ length: 20 }, (_, u) => u);
    const big = {
      numUsers: 20,
      numItems: 100,
      offsets: Uint32Array.from([0, ...users.map((u) => (u + 1) * 5)]),
      items: Uint32Array.from({ length: 100 }, (_, k) => 1 + k),
    };
    const b = new SasrecBatches(trainingData(big), 3, 6, 1, 'ce');
    expect(b.stepsPerEpoch).toBe(4);
    const epochTargets = (e: number) =>
      Array.from({ length: 4 }, (_, k) => rows(b.batch(e * 4 + k).labels).map((r) => r[2])).flat();
    const e0 = epochTargets(0);
    expect(e0).toHaveLength(20);
    expect(new Set(e0).size).toBe(20);
    expect(epochTargets(1)).not.toEqual(e0);
  });
});

describe('MF batches', () => {
  it('give one (user, positive, negative) per training interaction per epoch', () => {
    const b = new MfBatches(trainingData(ds), 3, 5, 1);
    expect(b.stepsPerEpoch).toBe(3); // 4 + 3 training interactions
    const seen: string[] = [];
    for (let s = 0; s < 3; s++) {
      const batch = b.batch(s);
      const u = Array.from(batch.user.data as BigInt64Array, Number);
      const p = Array.from(batch.pos.data as BigInt64Array, Number);
      const n = Array.from(batch.neg.data as BigInt64Array, Number);
      u.forEach((user, k) => {
        seen.push(`${user}:${p[k]}`);
        const train = user === 1 ? [1, 2, 3, 4] : [7, 8, 9];
        expect(train).toContain(p[k]);
        expect(train).not.toContain(n[k]);
      });
    }
    expect(seen.sort()).toEqual(['1:1', '1:2', '1:3', '1:4', '2:7', '2:8', '2:9']);
  });
});
