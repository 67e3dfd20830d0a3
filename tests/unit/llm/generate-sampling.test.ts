import { describe, expect, it } from 'vitest';
import { generate } from '../../../electron/engine/llm/generate.ts';
import {
  applyTemperature,
  applyTopK,
  applyTopP,
  maskBanned,
  sampleToken,
  softmax,
  warpScores,
} from '../../../electron/engine/llm/sampling.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { FakeModel } from './generate-fakes.ts';

const kept = (scores: Float64Array) => [...scores.keys()].filter((i) => scores[i] > Number.NEGATIVE_INFINITY);
const logs = (probs: number[]) => Float64Array.from(probs, Math.log);

/** HF's TopPLogitsWarper, literally: ascending sort, drop cumulative ≤ 1 − p, keep the last one. */
function hfTopPKept(scores: Float64Array, p: number): number[] {
  const probs = softmax(scores);
  const asc = [...probs.keys()].sort((a, b) => probs[a] - probs[b]);
  let cum = 0;
  const removed = new Set<number>();
  asc.forEach((i, rank) => {
    cum += probs[i];
    if (cum <= 1 - p && rank < asc.length - 1) removed.add(i);
  });
  return [...probs.keys()].filter((i) => !removed.has(i));
}

/** Draw frequencies agree with `probs` within 4.5 standard errors (fixed seeds: not flaky). */
function expectFrequencies(counts: number[], probs: ArrayLike<number>) {
  const n = counts.reduce((a, b) => a + b, 0);
  counts.forEach((c, i) => {
    const p = probs[i];
    if (p === 0) expect(c).toBe(0);
    else expect(Math.abs(c / n - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / n));
  });
}

describe('logit warpers', () => {
  it('scales by temperature and bans ids', () => {
    expect([...applyTemperature(Float64Array.from([2, -4, 1]), 2)]).toEqual([1, -2, 0.5]);
    expect([...maskBanned([1, 2, 3], [1])]).toEqual([1, Number.NEGATIVE_INFINITY, 3]);
    const p = softmax(warpScores([0, Math.log(3)], { temperature: 0.5, topK: 0, topP: 1 }));
    expect(p[1] / p[0]).toBeCloseTo(9, 10);
  });

  it('top-k keeps the k largest, ties with the k-th included (HF)', () => {
    expect(kept(applyTopK(Float64Array.from([1, 3, 2, 0]), 2))).toEqual([1, 2]);
    expect(kept(applyTopK(Float64Array.from([1, 2, 2, 0]), 1))).toEqual([1, 2]);
    expect(kept(applyTopK(Float64Array.from([1, 2, 2, 0]), 0))).toEqual([0, 1, 2, 3]);
    expect(kept(applyTopK(Float64Array.from([1, 2, 2, 0]), 9))).toEqual([0, 1, 2, 3]);
  });

  it('top-p keeps the smallest most-likely set with mass ≥ p, at least one token', () => {
    // probabilities 0.15, 0.5, 0.05, 0.3 at ids 0..3
    const s = () => logs([0.15, 0.5, 0.05, 0.3]);
    expect(kept(applyTopP(s(), 0))).toEqual([1]);
    expect(kept(applyTopP(s(), 0.45))).toEqual([1]);
    expect(kept(applyTopP(s(), 0.75))).toEqual([1, 3]);
    expect(kept(applyTopP(s(), 0.81))).toEqual([0, 1, 3]);
    expect(kept(applyTopP(s(), 0.96))).toEqual([0, 1, 2, 3]);
    expect(kept(applyTopP(s(), 1))).toEqual([0, 1, 2, 3]);
  });

  it('top-p agrees with the HF rule on random logits', () => {
    const rng = new Rng(11);
    for (let t = 0; t < 200; t++) {
      const scores = Float64Array.from({ length: 2 + rng.int(10) }, () => rng.normal() * 2);
      const p = rng.next();
      expect(kept(applyTopP(Float64Array.from(scores), p))).toEqual(hfTopPKept(scores, p));
    }
  });

  it('applies temperature, then top-k, then top-p over the renormalised survivors', () => {
    // top-k 3 keeps ids 1,3,0 with renormalised probs .5/.95, .3/.95, .15/.95; top-p .8 needs .526+.316
    const out = warpScores(logs([0.15, 0.5, 0.05, 0.3]), { temperature: 1, topK: 3, topP: 0.8 });
    expect(kept(out)).toEqual([1, 3]);
  });
});

describe('sampleToken', () => {
  it('draws with the softmax probabilities', () => {
    const logits = [1, 0, -1, 0.5];
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, { temperature: 1, topK: 0, topP: 1 }, rng)]++;
    expectFrequencies(counts, softmax(logits));
  });

  it('draws from the warped distribution and never from removed tokens', () => {
    const params = { temperature: 0.5, topK: 3, topP: 1 };
    const logits = maskBanned([1, 0, -1, 0.5, 0.8], [4]);
    const rng = new Rng(6);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, params, rng)]++;
    expectFrequencies(counts, softmax(warpScores(logits, params)));
    expect(counts[2]).toBe(0);
    expect(counts[4]).toBe(0);
  });
});

describe('generate: sampling', () => {
  const vocabSize = 5;
  const model = () => new FakeModel({ vocabSize, seed: 3, eosTokenIds: [0] });

  it('is deterministic for a seed and differs across seeds', async () => {
    const opts = { strategy: 'sample' as const, maxNewTokens: 12, seed: 42, eosTokenIds: [] };
    const a = await generate(model(), [1, 2], opts);
    const b = await generate(model(), [1, 2], opts);
    const c = await generate(model(), [1, 2], { ...opts, seed: 43 });
    expect(a).toEqual(b);
    expect(c[0].tokens).not.toEqual(a[0].tokens);
    const m = model();
    expect(a[0].logProb).toBeCloseTo(m.sequenceLogProb([1, 2], a[0].tokens), 6);
  });

  it('gives prompt i the same draws alone or in a batch', async () => {
    const opts = { strategy: 'sample' as const, maxNewTokens: 8, seed: 9, temperature: 0.7, topP: 0.9 };
    const [first] = await generate(model(), [[4, 1], [2], [3, 3, 3]], opts);
    expect(first).toEqual(await generate(model(), [4, 1], opts));
  });

  it('follows the model distribution over many steps', async () => {
    const logits = [0.3, 1.2, -0.5, 0.9, 0];
    const m = new FakeModel({ vocabSize, logits: () => logits, bannedTokenIds: [4] });
    const [seq] = await generate(m, [1], { strategy: 'sample', maxNewTokens: 3000, seed: 1, temperature: 1.5 });
    expect(seq.finishReason).toBe('length');
    const counts = new Array(vocabSize).fill(0);
    for (const t of seq.tokens) counts[t]++;
    expectFrequencies(counts, softmax(applyTemperature(maskBanned(logits, [4]), 1.5)));
  });
});
