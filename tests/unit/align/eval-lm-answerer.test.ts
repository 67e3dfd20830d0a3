/**
 * lmAnswerer on a tiny random Llama runtime: it runs end to end and returns well-formed answers
 * (no quality: the weights are random), passes injected vectors through, and reads "Yes"/"No"
 * at their first tokens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvalExample } from '../../../electron/engine/align/eval/eval-example.ts';
import { evaluateAlignment, permutations } from '../../../electron/engine/align/eval/evaluate-alignment.ts';
import { type EncodedPrompt, lmAnswerer, yesNoTokenIds } from '../../../electron/engine/align/eval/lm-answerer.ts';
import { LlamaRuntime } from '../../../electron/engine/llm/llama-runtime.ts';
import { buildTinyTokenizer } from '../../../electron/engine/llm/tiny-tokenizer.ts';
import { initLlamaParams, type LlamaConfig } from '../../../electron/engine/models/llama.ts';
import { example, history, interest, ranking, titleRecovery, top1 } from './eval-fixtures.ts';

const TITLES = ['Toy Story (1995)', 'Heat (1995)', 'Jumanji (1995)', 'Casino (1995)', 'Sabrina (1995)'];
const tok = buildTinyTokenizer([...TITLES, 'Is the user interested in this movie? Yes or No.', ...TITLES]);
const CFG: LlamaConfig = {
  vocabSize: tok.vocabSize,
  hidden: 16,
  layers: 1,
  heads: 2,
  kvHeads: 1,
  intermediate: 32,
  rmsEps: 1e-6,
  ropeTheta: 10000,
  maxPositions: 64,
  tieEmbeddings: true,
};

function encodePrompt(ex: EvalExample): EncodedPrompt {
  const text = tok.applyChatTemplate([{ role: 'user', content: `Task ${ex.task}: ${ex.answer.slice(0, 20)}` }], {
    addGenerationPrompt: true,
  });
  return { ids: tok.encode(text, { addSpecialTokens: false }) };
}

let runtime: LlamaRuntime;
beforeAll(async () => {
  runtime = await LlamaRuntime.create(CFG, initLlamaParams(CFG, 0), {
    session: { providers: ['cpu'], threads: 1 },
  });
});
afterAll(async () => {
  await runtime?.release();
});

describe('lmAnswerer on a tiny random Llama', () => {
  it('takes the first token of "Yes" and "No"', () => {
    expect(yesNoTokenIds(tok)).toEqual([tok.tokenToId('Yes'), tok.tokenToId('No')]);
    expect(() => yesNoTokenIds({ encode: () => [3] })).toThrow(/same token/);
    expect(() => yesNoTokenIds({ encode: () => [] })).toThrow(/no tokens/);
  });

  it('generates up to 5 beams for task 1, one greedy answer otherwise, and finite yes/no logits', async () => {
    const lm = lmAnswerer(runtime, tok, encodePrompt);
    const t1 = await lm.generate([top1(TITLES[0]), top1(TITLES[1])], { beams: 5, maxNewTokens: 4 });
    expect(t1).toHaveLength(2);
    for (const answers of t1) {
      expect(answers.length).toBeGreaterThanOrEqual(1);
      expect(answers.length).toBeLessThanOrEqual(5);
      for (const a of answers) expect(typeof a).toBe('string');
    }
    const greedy = await lm.generate([ranking(TITLES), history(TITLES.slice(0, 3))], { beams: 1, maxNewTokens: 4 });
    expect(greedy.map((g) => g.length)).toEqual([1, 1]);
    const yn = await lm.yesNo([interest(true), interest(false), interest(true)]);
    expect(yn).toBeInstanceOf(Float32Array);
    expect(yn).toHaveLength(6);
    expect(Array.from(yn).every(Number.isFinite)).toBe(true);
  });

  it('runs through evaluateAlignment with every metric in [0, 1]', async () => {
    const exs = [
      top1(TITLES[2]),
      ranking(TITLES),
      interest(true),
      interest(false),
      titleRecovery(TITLES[3]),
      history(TITLES.slice(0, 2)),
      example(5, 'skipped'),
    ];
    const m = await evaluateAlignment(exs, lmAnswerer(runtime, tok, encodePrompt), {
      maxNewTokens: { T1: 3, T2: 3, T4: 3, T6: 3 },
    });
    expect(m.counts).toEqual({ T1: 1, T2: 1, T3: 2, T4: 1, T6: 1, skipped: 1 });
    const values = [m.T1!['HR@5'], m.T1!['NDCG@5'], m.T2!['NDCG@5'], m.T3!.ACC, m.T4!.TitleACC, m.T6!.HCR];
    for (const v of values) {
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThanOrEqual(1);
    }
  });

  it('passes injected vectors to the model: zeros change nothing, a vector changes the logits', async () => {
    const ex = interest(true);
    const { ids } = encodePrompt(ex);
    const withAdd = (add: Float32Array | null) => lmAnswerer(runtime, tok, () => ({ ids, addEmbeddings: add }));
    const plain = await withAdd(null).yesNo([ex]);
    const zeros = await withAdd(new Float32Array(ids.length * CFG.hidden)).yesNo([ex]);
    const added = new Float32Array(ids.length * CFG.hidden);
    added.fill(0.5, (ids.length - 1) * CFG.hidden);
    const shifted = await withAdd(added).yesNo([ex]);
    expect(Array.from(zeros)).toEqual(Array.from(plain));
    expect(Array.from(shifted)).not.toEqual(Array.from(plain));
  });

  it('with choices, answers task 2 with orderings of the candidates (constrained beam search)', async () => {
    const lm = lmAnswerer(runtime, tok, encodePrompt);
    const orders = permutations(TITLES).map((p) => p.join('; '));
    expect(orders).toHaveLength(120);
    expect(new Set(orders).size).toBe(120);
    const [[answer]] = await lm.generate([ranking(TITLES)], { beams: 1, maxNewTokens: 64, choices: [orders] });
    expect(orders).toContain(answer);
    // With more beams asked for, the best orderings come back, distinct, the first one as above.
    const [five] = await lm.generate([ranking(TITLES)], { beams: 5, maxNewTokens: 64, choices: [orders] });
    expect(five).toHaveLength(5);
    expect(new Set(five).size).toBe(5);
    for (const a of five) expect(orders).toContain(a);
    expect(five[0]).toBe(answer);
    await expect(lm.generate([ranking(TITLES)], { beams: 1, maxNewTokens: 64, choices: [] })).rejects.toThrow(
      /one list per example/,
    );
    // evaluateAlignment constrains T2 by default: the random weights still give a full ranking, so
    // NDCG is that of a permutation (> 0); free decoding of random weights matches no title.
    const constrained = await evaluateAlignment([ranking(TITLES)], lm);
    const free = await evaluateAlignment([ranking(TITLES)], lm, { freeRanking: true, maxNewTokens: { T2: 8 } });
    expect(constrained.T2!['NDCG@5']).toBeGreaterThan(0);
    expect(free.T2!['NDCG@5']).toBe(0);
  });

  it("cuts answers to the runtime's maxLength: a full prompt gets an empty answer", async () => {
    const ex = top1(TITLES[0]);
    const n = encodePrompt(ex).ids.length;
    const full = lmAnswerer(runtime, tok, encodePrompt, { maxLength: n });
    expect(await full.generate([ex], { beams: 5, maxNewTokens: 8 })).toEqual([['']]);
    // maxNewTokens far beyond the context: cut to what is left, so no error.
    const lm = lmAnswerer(runtime, tok, encodePrompt);
    const [answers] = await lm.generate([ex], { beams: 1, maxNewTokens: 1000 });
    expect(answers).toHaveLength(1);
  });
});
