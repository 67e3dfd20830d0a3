/** Constrained decoding (greedy and beam): the answer is always one of the allowed sequences. */
import { describe, expect, it } from 'vitest';
import { GenerationOptionsError, generate } from '../../../electron/engine/llm/generate.ts';
import { TokenTrie } from '../../../electron/engine/llm/token-trie.ts';
import { FakeModel } from './generate-fakes.ts';

const EOS = 0;

describe('TokenTrie', () => {
  it('allows only continuations of the sequences, the EOS where one ends, and the best of them', () => {
    const w = new TokenTrie([
      [3, 4],
      [3, 5, 6],
      [3, 5],
    ]).walker(EOS);
    // At the root only 3 is allowed, however the scores favour others.
    expect(w.choose([9, 9, 9, 1, 9, 9, 9])).toBe(3);
    w.advance(3);
    expect(w.choose([0, 0, 0, 0, 2, 1, 0])).toBe(4);
    expect(w.choose([0, 0, 0, 0, 1, 2, 0])).toBe(5);
    w.advance(5);
    // [3, 5] is complete and [3, 5, 6] continues: the EOS competes with 6.
    expect(w.choose([3, 0, 0, 0, 0, 0, 1])).toBe(EOS);
    expect(w.choose([1, 0, 0, 0, 0, 0, 3])).toBe(6);
    w.advance(6);
    expect(w.choose([0, 5, 5, 5, 5, 5, 5])).toBe(EOS);
  });

  it('refuses an empty set', () => {
    expect(() => new TokenTrie([])).toThrow(/no allowed sequences/);
  });
});

describe('generate: greedy constrained to allowed sequences', () => {
  it('returns an allowed sequence even when free greedy would not, per prompt', async () => {
    const m = new FakeModel({ vocabSize: 8, seed: 3, eosTokenIds: [EOS] });
    const allowed = [
      [
        [1, 2, 3],
        [2, 1, 3],
        [3, 2, 1],
      ],
      [[7, 7]],
    ];
    const out = await generate(m, [[5], [6, 4]], { maxNewTokens: 10, allowedSequences: allowed });
    expect(out.map(([s]) => s.tokens)).toHaveLength(2);
    expect(allowed[0]).toContainEqual(out[0][0].tokens);
    expect(out[1][0].tokens).toEqual([7, 7]);
    expect(out.every(([s]) => s.finishReason === 'eos')).toBe(true);
  });

  it('takes the allowed token the model scores highest at each step', async () => {
    // The model prefers higher ids, so among [1,2,…] and [2,1,…] it starts with 2, then must follow 1.
    const m = new FakeModel({ vocabSize: 6, eosTokenIds: [EOS], logits: () => [0, 1, 2, 3, 4, 5] });
    const [seq] = await generate(m, [4], {
      maxNewTokens: 10,
      allowedSequences: [
        [
          [1, 2, 3],
          [2, 1, 3],
        ],
      ],
    });
    expect(seq.tokens).toEqual([2, 1, 3]);
    expect(seq.logProb).toBeCloseTo(m.sequenceLogProb([4], [2, 1, 3, EOS]), 6);
  });

  it('needs an EOS id and one list per prompt', async () => {
    const m = new FakeModel({ vocabSize: 4 });
    await expect(generate(m, [1], { maxNewTokens: 3, allowedSequences: [[[1]]] })).rejects.toThrow(/EOS/);
    const withEos = new FakeModel({ vocabSize: 4, eosTokenIds: [EOS] });
    await expect(generate(withEos, [[1], [2]], { maxNewTokens: 3, allowedSequences: [[[1]]] })).rejects.toThrow(
      GenerationOptionsError,
    );
  });
});

describe('generate: beam search constrained to allowed sequences', () => {
  /** Every allowed sequence's log-probability under the model, best first. */
  const ranked = (m: FakeModel, prompt: number[], seqs: number[][]) =>
    seqs.map((s) => ({ s, lp: m.sequenceLogProb(prompt, [...s, EOS]) })).sort((a, b) => b.lp - a.lp);

  it('finds the most probable allowed sequence where greedy commits to a worse first token', async () => {
    // Two sequences share first token 1 and split its mass; the best single sequence starts with 2.
    // After the prompt: p(1) high, p(2) a bit lower. After 1, the mass spreads over 3 and 4 and
    // after 2 it goes to 3: greedy takes 1 then 3 (or 4), the beam finds [2, 3].
    const logits = (h: readonly number[]) => {
      const last = h[h.length - 1];
      if (h.length === 1) return [-9, 2, 1.8, -9, -9, -9];
      if (last === 1) return [-9, -9, -9, 0, 0, -9];
      if (last === 2) return [-9, -9, -9, 5, -9, -9];
      return [5, -9, -9, -9, -9, -9];
    };
    const m = new FakeModel({ vocabSize: 6, eosTokenIds: [EOS], logits });
    const allowed = [
      [1, 3],
      [1, 4],
      [2, 3],
    ];
    const [greedy] = await generate(m, [5], { maxNewTokens: 5, allowedSequences: [allowed] });
    expect(greedy.tokens[0]).toBe(1);
    const beam = await generate(m, [5], {
      strategy: 'beam',
      numBeams: 3,
      numReturnSequences: 3,
      lengthPenalty: 0,
      maxNewTokens: 5,
      allowedSequences: [allowed],
    });
    const best = ranked(m, [5], allowed);
    expect(best[0].s).toEqual([2, 3]);
    expect(beam.map((h) => h.tokens)).toEqual(best.map((b) => b.s));
    beam.forEach((h, i) => {
      expect(h.logProb).toBeCloseTo(best[i].lp, 6);
      expect(h.score).toBeCloseTo(best[i].lp, 6);
    });
  });

  it('returns only allowed sequences, per prompt, on a random model', async () => {
    const m = new FakeModel({ vocabSize: 9, seed: 11, eosTokenIds: [EOS] });
    const allowed = [
      [
        [1, 2, 3],
        [1, 3, 2],
        [2, 1, 3],
        [3, 2, 1],
        [3, 1],
      ],
      [[7], [7, 8]],
    ];
    const out = await generate(m, [[5], [6, 4]], {
      strategy: 'beam',
      numBeams: 4,
      numReturnSequences: 2,
      lengthPenalty: 0,
      maxNewTokens: 10,
      allowedSequences: allowed,
    });
    out.forEach((hyps, p) => {
      expect(hyps).toHaveLength(2);
      for (const h of hyps) expect(allowed[p]).toContainEqual(h.tokens);
      const best = ranked(m, p === 0 ? [5] : [6, 4], allowed[p]);
      expect(hyps.map((h) => h.tokens)).toEqual(best.slice(0, 2).map((b) => b.s));
    });
  });

  it('needs an EOS id', async () => {
    const m = new FakeModel({ vocabSize: 4 });
    await expect(
      generate(m, [1], { strategy: 'beam', numBeams: 2, maxNewTokens: 3, allowedSequences: [[[1]]] }),
    ).rejects.toThrow(/EOS/);
  });
});
