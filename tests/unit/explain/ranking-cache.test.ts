/** Ranking within a score row (as the exports rank) and the explorer's LRU of loaded resources. */
import { describe, expect, it } from 'vitest';
import { historyMask, rankOf, topItems } from '../../../electron/engine/explain/ranking.ts';
import { ResourceCache } from '../../../electron/engine/explain/resource-cache.ts';

describe('topItems and rankOf', () => {
  const scores = new Float32Array([Number.NEGATIVE_INFINITY, 1, 3, 3, 2, Number.NaN, 5]);
  const mask = historyMask(6, [4, 6]);

  it('orders by score, ties to the lower id, history and NaN left out', () => {
    expect(topItems(scores, mask, 3)).toEqual([2, 3, 1]);
    expect(topItems(scores, mask, 10)).toEqual([2, 3, 1]);
    expect(topItems(scores, historyMask(6, []), 2)).toEqual([6, 2]);
  });

  it('ranks an item among the non-history items', () => {
    expect(rankOf(scores, mask, 3)).toBe(2);
    expect(rankOf(scores, mask, 1)).toBe(3);
    expect(rankOf(scores, mask, 4)).toBe(3); // a history item ranks among the others
  });
});

describe('ResourceCache', () => {
  const tracked = () => {
    const disposed: string[] = [];
    let loads = 0;
    const cache = new ResourceCache<string>(2, async (v) => {
      disposed.push(v);
    });
    const use = (key: string, stamp = 's') =>
      cache.use(
        key,
        stamp,
        async () => `${key}@${stamp}#${++loads}`,
        (v) => v,
      );
    return { cache, disposed, use, loads: () => loads };
  };

  it('loads once per key and stamp, and reloads when the stamp changes', async () => {
    const t = tracked();
    expect(await t.use('a')).toBe('a@s#1');
    expect(await t.use('a')).toBe('a@s#1');
    expect(await t.use('a', 't')).toBe('a@t#2');
    expect(t.disposed).toEqual(['a@s#1']);
  });

  it('evicts the least recently used entry beyond its capacity', async () => {
    const t = tracked();
    await t.use('a');
    await t.use('b');
    await t.use('a');
    await t.use('c');
    expect(t.disposed).toEqual(['b@s#2']);
    expect(t.cache.size).toBe(2);
    await t.cache.release((k) => k === 'a');
    expect(t.disposed).toEqual(['b@s#2', 'a@s#1']);
  });

  it('disposes an entry evicted while in use only when its lease ends', async () => {
    const t = tracked();
    let finish = () => {};
    const leased = t.cache.use(
      'a',
      's',
      async () => 'a',
      (v) => new Promise<string>((resolve) => (finish = () => resolve(v))),
    );
    await new Promise((r) => setTimeout(r, 0));
    await t.use('b');
    await t.use('c');
    expect(t.disposed).toEqual([]);
    finish();
    expect(await leased).toBe('a');
    expect(t.disposed).toEqual(['a']);
  });

  it('does not keep a failed load', async () => {
    const cache = new ResourceCache<number>(2);
    await expect(
      cache.use(
        'x',
        's',
        async () => {
          throw new Error('boom');
        },
        (v) => v,
      ),
    ).rejects.toThrow('boom');
    expect(cache.size).toBe(0);
    expect(
      await cache.use(
        'x',
        's',
        async () => 4,
        (v) => v + 1,
      ),
    ).toBe(5);
  });
});
