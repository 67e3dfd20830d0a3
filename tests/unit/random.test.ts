import { describe, expect, it } from 'vitest';
import { Rng } from '../../electron/engine/random.ts';

describe('Rng', () => {
  it('repeats exactly for the same seed and differs for another', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });

  it('draws integers uniformly in range', () => {
    const r = new Rng(1);
    const counts = new Array(4).fill(0);
    for (let i = 0; i < 40_000; i++) counts[r.int(4)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it('shuffles into a permutation', () => {
    const arr = Int32Array.from({ length: 100 }, (_, i) => i);
    new Rng(3).shuffle(arr);
    expect([...arr].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
    expect([...arr]).not.toEqual([...Array(100).keys()]);
  });
});
