/** The random and popularity baselines: deterministic, hand-checked rules, near chance on synthetic data. */
import { describe, expect, it } from 'vitest';
import { popularityAnswerer, randomAnswerer } from '../../../electron/engine/align/eval/answerer.ts';
import type { EvalExample } from '../../../electron/engine/align/eval/eval-example.ts';
import { evaluateAlignment } from '../../../electron/engine/align/eval/evaluate-alignment.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { example, history, interest, ranking, titleRecovery, top1 } from './eval-fixtures.ts';

const CATALOG = Array.from({ length: 50 }, (_, i) => `Title ${i}`);

/** A synthetic test split whose truth is independent of any baseline: uniform random titles. */
function syntheticSplit(seed: number, perTask: number): EvalExample[] {
  const rng = new Rng(seed);
  const pick = () => CATALOG[rng.int(CATALOG.length)];
  const distinct = (n: number) => {
    const s = new Set<string>();
    while (s.size < n) s.add(pick());
    return [...s];
  };
  const out: EvalExample[] = [];
  for (let i = 0; i < perTask; i++) {
    out.push(top1(pick()), ranking(distinct(5)), interest(i % 2 === 0, rng.int(CATALOG.length)), titleRecovery(pick()));
    out.push(history(distinct(9)));
  }
  return out;
}

describe('randomAnswerer', () => {
  it('is deterministic for a seed and independent of batching', async () => {
    const split = syntheticSplit(1, 40);
    const a = await evaluateAlignment(split, randomAnswerer(CATALOG, 7), { batchSize: 1 });
    const b = await evaluateAlignment(split, randomAnswerer(CATALOG, 7), { batchSize: 13 });
    const c = await evaluateAlignment(split, randomAnswerer(CATALOG, 8));
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('gives distinct catalogue titles per beam, a permutation of the candidates, |history| titles', async () => {
    const r = randomAnswerer(CATALOG, 3);
    const order = ['A', 'B', 'C', 'D', 'E'];
    const [t1, t2, t6, t4] = await r.generate(
      [top1('x'), ranking(order), history(['h1', 'h2', 'h3']), titleRecovery('x')],
      { beams: 5, maxNewTokens: 1 },
    );
    expect(new Set(t1).size).toBe(5);
    for (const t of [...t1, ...t4]) expect(CATALOG).toContain(t);
    expect(t2).toHaveLength(5);
    for (const a of t2) expect(a.split('; ').sort()).toEqual(order);
    expect(t6[0].split('; ')).toHaveLength(3);
    const yn = await r.yesNo([interest(true), interest(false)]);
    expect(yn).toHaveLength(4);
    expect([yn[0] + yn[1], yn[2] + yn[3]]).toEqual([1, 1]);
  });

  it('lands at chance level on a synthetic split', async () => {
    const m = await evaluateAlignment(syntheticSplit(2, 1000), randomAnswerer(CATALOG, 11), { batchSize: 64 });
    expect(m.T3!.ACC).toBeGreaterThan(0.45); // fair coin: 0.5
    expect(m.T3!.ACC).toBeLessThan(0.55);
    expect(m.T1!['HR@5']).toBeGreaterThan(0.07); // 5 of 50 titles: 0.1
    expect(m.T1!['HR@5']).toBeLessThan(0.13);
    // A random order of 5: E[DCG] = 1111 · mean discount over positions 0..4.
    const discounts = [0, 1, 2, 3, 4].map((j) => 1 / Math.log2(j + 2));
    const idcg = 1000 + 100 * discounts[1] + 10 * discounts[2] + discounts[3];
    const expected = (1111 * discounts.reduce((a, b) => a + b, 0)) / 5 / idcg;
    expect(Math.abs(m.T2!['NDCG@5'] - expected)).toBeLessThan(0.02);
    expect(Math.abs(m.T6!.HCR - 9 / 50)).toBeLessThan(0.03); // 9 random titles of 50
    expect(Math.abs(m.T4!.TitleACC - 1 / 50)).toBeLessThan(0.015);
  });

  it('needs a catalogue', () => {
    expect(() => randomAnswerer([], 1)).toThrow(/no titles/);
  });
});

describe('popularityAnswerer', () => {
  const BY_POP = Array.from({ length: 10 }, (_, i) => `P${i}`);

  it('recommends the most popular unseen titles, orders candidates by popularity, lists the top titles', async () => {
    const p = popularityAnswerer(BY_POP);
    const seen = example(1, 'P3', { top1Title: 'P3', historyTitles: ['p0', 'P2'] });
    // Without meta, the prompt's history segments.
    const shown: EvalExample = {
      ...top1('P1'),
      segments: [
        { kind: 'text', text: 'after ' },
        { kind: 'history', titles: ['P1', 'P0'] },
      ],
    };
    const out = await p.generate(
      [
        seen,
        shown,
        ranking(['Y', 'P7', 'P1', 'X', 'P4']),
        history(['a', 'b', 'c']),
        titleRecovery('P9'),
        example(7, 'why'),
      ],
      { beams: 5, maxNewTokens: 1 },
    );
    expect(out).toEqual([
      ['P1', 'P3', 'P4', 'P5', 'P6'],
      ['P2', 'P3', 'P4', 'P5', 'P6'],
      ['P1; P4; P7; X; Y'], // X and Y are not in the list: last, alphabetically
      ['P0; P1; P2'],
      ['P0'],
      ['P0'],
    ]);
  });

  it('task 3: "Yes" for the top 20% by popularity, "No" otherwise or without a known title', async () => {
    // Item i is titled "P<i>" except item 1 ("p1": normalised) and item 10 (no title).
    const titleOf = (i: number) => (i === 10 ? undefined : i === 1 ? 'p1' : `P${i}`);
    const p = popularityAnswerer(BY_POP, titleOf);
    const yn = await p.yesNo([interest(true, 0), interest(false, 1), interest(true, 2), interest(true, 10)]);
    expect(Array.from(yn)).toEqual([1, 0, 1, 0, 0, 1, 0, 1]);
    expect(Array.from(await p.yesNo([interest(true)]))).toEqual([0, 1]); // no item
    expect(Array.from(await popularityAnswerer(BY_POP).yesNo([interest(true, 0)]))).toEqual([0, 1]); // no titles
  });

  it('lands at chance level when the truth does not follow popularity', async () => {
    const titles = [...CATALOG];
    const titleOf = (i: number) => CATALOG[i];
    const m = await evaluateAlignment(syntheticSplit(3, 1000), popularityAnswerer(titles, titleOf), {
      batchSize: 64,
    });
    expect(m.T1!['HR@5']).toBeGreaterThan(0.07);
    expect(m.T1!['HR@5']).toBeLessThan(0.13);
    expect(Math.abs(m.T3!.ACC - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(m.T6!.HCR - 9 / 50)).toBeLessThan(0.03);
    // Deterministic: no seed.
    expect(await evaluateAlignment(syntheticSplit(3, 50), popularityAnswerer(titles))).toEqual(
      await evaluateAlignment(syntheticSplit(3, 50), popularityAnswerer(titles)),
    );
  });
});
