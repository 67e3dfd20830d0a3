import { describe, expect, it } from 'vitest';
import { GenerationOptionsError, generate, scoreNextToken } from '../../../electron/engine/llm/generate.ts';
import { argmax, logSoftmax } from '../../../electron/engine/llm/sampling.ts';
import { FakeModel, letterDecoder } from './generate-fakes.ts';

/** Logits that make `script[n]` the clear favourite after n generated tokens (prompt length 1). */
function scripted(vocabSize: number, script: number[]) {
  return (history: readonly number[]) => {
    const out = new Array(vocabSize).fill(0);
    out[script[Math.min(history.length - 1, script.length - 1)]] = 5;
    return out;
  };
}

describe('generate: greedy', () => {
  it('follows the argmax chain and sums its log-probs', async () => {
    const m = new FakeModel({ vocabSize: 7, seed: 1 });
    const [seq] = await generate(m, [3, 1], { maxNewTokens: 6 });
    const expected: number[] = [];
    for (let i = 0; i < 6; i++) expected.push(argmax(m.logitsFor([3, 1, ...expected])));
    expect(seq.tokens).toEqual(expected);
    expect(seq.finishReason).toBe('length');
    expect(seq.text).toBeUndefined();
    expect(seq.logProb).toBeCloseTo(m.sequenceLogProb([3, 1], expected), 6);
    expect(seq.score).toBe(seq.logProb);
    expect(m.prefillCalls).toBe(1);
    expect(m.decodeCalls).toHaveLength(5);
  });

  it('stops at any EOS, leaving it out of the tokens but in the log-prob', async () => {
    const m = new FakeModel({ vocabSize: 5, logits: scripted(5, [2, 3, 4, 1]), eosTokenIds: [4, 0] });
    const [seq] = await generate(m, [1], { maxNewTokens: 10 });
    expect(seq).toMatchObject({ tokens: [2, 3], finishReason: 'eos' });
    expect(seq.logProb).toBeCloseTo(m.sequenceLogProb([1], [2, 3, 4]), 6);
    const [other] = await generate(m, [1], { maxNewTokens: 10, eosTokenIds: [1] });
    expect(other).toMatchObject({ tokens: [2, 3, 4], finishReason: 'eos' });
  });

  it('never picks banned tokens (model and options)', async () => {
    const m = new FakeModel({ vocabSize: 5, logits: () => [1, 0, 0, 5, 2], bannedTokenIds: [3] });
    expect((await generate(m, [1], { maxNewTokens: 2 }))[0].tokens).toEqual([4, 4]);
    expect((await generate(m, [1], { maxNewTokens: 2, bannedTokenIds: [4] }))[0].tokens).toEqual([0, 0]);
    await expect(generate(m, [1], { maxNewTokens: 2, bannedTokenIds: [0, 1, 2, 4] })).rejects.toThrow(
      GenerationOptionsError,
    );
  });

  it('stops at a stop string spanning tokens, trims it, and never streams it', async () => {
    const decode = letterDecoder(['a', 'b', 'c', 'd', 'e']);
    const m = new FakeModel({ vocabSize: 5, logits: scripted(5, [0, 1, 2, 3, 4]) });
    const streamed: [number, string][] = [];
    const [seq] = await generate(m, [0], {
      maxNewTokens: 10,
      decode,
      stopStrings: ['cd', 'zz'],
      onToken: (t, text) => streamed.push([t, text]),
    });
    expect(seq).toMatchObject({ tokens: [0, 1], text: 'ab', finishReason: 'stop' });
    expect(streamed).toEqual([
      [0, 'a'],
      [1, 'ab'],
      [2, 'ab'],
    ]);
    expect(seq.logProb).toBeCloseTo(m.sequenceLogProb([0], [0, 1, 2, 3]), 6);
  });

  it('cuts the text inside a token that overhangs the stop string, dropping that token', async () => {
    const decode = letterDecoder(['a', 'b', 'X\nY']);
    const m = new FakeModel({ vocabSize: 3, logits: scripted(3, [0, 1, 2, 0]) });
    const [seq] = await generate(m, [0], { maxNewTokens: 10, decode, stopStrings: ['\n'] });
    expect(seq).toMatchObject({ tokens: [0, 1], text: 'abX', finishReason: 'stop' });
    const [plain] = await generate(m, [0], { maxNewTokens: 3, decode });
    expect(plain).toMatchObject({ tokens: [0, 1, 2], text: 'abX\nY', finishReason: 'length' });
  });

  it('cancels through an AbortSignal', async () => {
    const m = new FakeModel({ vocabSize: 6, seed: 2 });
    const ctrl = new AbortController();
    const [seq] = await generate(m, [1], {
      maxNewTokens: 10,
      signal: ctrl.signal,
      onToken: (_t, _text) => {
        if (m.decodeCalls.length === 1) ctrl.abort();
      },
    });
    expect(seq.finishReason).toBe('aborted');
    expect(seq.tokens).toHaveLength(2);
    expect(m.decodeCalls).toHaveLength(1);
    const idle = new FakeModel({ vocabSize: 6 });
    const [none] = await generate(idle, [1], { maxNewTokens: 10, signal: ctrl.signal, decode: () => '' });
    expect(none).toEqual({ tokens: [], text: '', logProb: 0, score: 0, finishReason: 'aborted' });
    expect(idle.prefillCalls).toBe(0);
  });

  it('returns nothing for maxNewTokens 0 without running the model', async () => {
    const m = new FakeModel({ vocabSize: 6 });
    expect(await generate(m, [1], { maxNewTokens: 0 })).toEqual([
      { tokens: [], text: undefined, logProb: 0, score: 0, finishReason: 'length' },
    ]);
    expect(m.prefillCalls).toBe(0);
  });

  it('batches prompts like single runs and drops finished rows from the cache', async () => {
    const m = new FakeModel({ vocabSize: 6, seed: 4, eosTokenIds: [0] });
    const prompts = [[1, 2, 3], [5], [2, 2]];
    const alone = [];
    for (const p of prompts)
      alone.push(await generate(new FakeModel({ vocabSize: 6, seed: 4, eosTokenIds: [0] }), p, { maxNewTokens: 8 }));
    expect(await generate(m, prompts, { maxNewTokens: 8 })).toEqual(alone);
    const lengths = alone.map(([s]) => s.tokens.length + (s.finishReason === 'eos' ? 1 : 0));
    for (const call of m.decodeCalls) {
      const step = m.decodeCalls.indexOf(call) + 1;
      expect(call.tokens.length).toBe(lengths.filter((n) => n > step).length);
    }
    expect(new Set(lengths).size).toBeGreaterThan(1);
  });

  it("stops each row at the model's maxLength from its own prompt, like single runs", async () => {
    const fake = { vocabSize: 6, seed: 4, maxLength: 7 };
    const prompts = [[1], [1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 1, 2]];
    const out = await generate(new FakeModel(fake), prompts, { maxNewTokens: 20 });
    expect(out.map(([s]) => [s.tokens.length, s.finishReason])).toEqual([
      [6, 'length'],
      [2, 'length'],
      [0, 'length'],
    ]);
    for (const [k, p] of prompts.entries())
      expect(out[k]).toEqual(await generate(new FakeModel(fake), p, { maxNewTokens: 20 }));
    await expect(generate(new FakeModel(fake), [1, 2, 3, 4, 5, 1, 2, 3], { maxNewTokens: 1 })).rejects.toThrow(
      /prompt 0 has 8 tokens, more than maxLength 7/,
    );
  });

  it('rejects bad options', async () => {
    const m = new FakeModel({ vocabSize: 6 });
    const bad = [
      () => generate(m, [1], { maxNewTokens: 3, stopStrings: ['x'] }),
      () => generate(m, [1], { maxNewTokens: 3, stopStrings: [''], decode: String }),
      () => generate(m, [], { maxNewTokens: 3 }),
      () => generate(m, [1, 6], { maxNewTokens: 3 }),
      () => generate(m, [1], { maxNewTokens: -1 }),
      () => generate(m, [1], { strategy: 'beam', numBeams: 2, numReturnSequences: 3, maxNewTokens: 3 }),
      () => generate(m, [1], { strategy: 'sample', seed: 1, topP: 1.5, maxNewTokens: 3 }),
      () => generate(m, [1], { strategy: 'sample', seed: 1, temperature: 0, maxNewTokens: 3 }),
    ];
    for (const run of bad) await expect(run()).rejects.toThrow(GenerationOptionsError);
  });
});

describe('scoreNextToken', () => {
  it('reads the candidates’ logits and log-probs after the prompt', async () => {
    const m = new FakeModel({ vocabSize: 6, seed: 8 });
    const one = await scoreNextToken(m, [2, 3], [4, 1]);
    const row = m.logitsFor([2, 3]);
    const lp = logSoftmax(row);
    expect(one.tokenIds).toEqual([4, 1]);
    expect(one.logits).toEqual([row[4], row[1]]);
    expect(one.logProbs[0]).toBeCloseTo(lp[4], 10);
    expect(one.logProbs[1]).toBeCloseTo(lp[1], 10);
    const batch = await scoreNextToken(m, [[1], [2, 3]], [4, 1]);
    expect(batch[1]).toEqual(one);
    expect(m.decodeCalls).toHaveLength(0);
  });
});
