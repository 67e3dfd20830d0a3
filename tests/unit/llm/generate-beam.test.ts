import { describe, expect, it } from 'vitest';
import { type BeamOptions, type GeneratedSequence, generate } from '../../../electron/engine/llm/generate.ts';
import { logSoftmax } from '../../../electron/engine/llm/sampling.ts';
import { FakeModel, type FakeModelOptions, letterDecoder } from './generate-fakes.ts';
import { hfBeamSearch } from './generate-hf-beam-reference.ts';

type Beam = Omit<BeamOptions, 'strategy' | 'maxNewTokens'>;

/** Our result in HF's form: EOS appended to the tokens. */
const withEos = (s: GeneratedSequence, eos: readonly number[]) =>
  s.finishReason === 'eos' ? [...s.tokens, eos[0]] : s.tokens;

async function ours(fake: FakeModelOptions, prompt: number[], maxNewTokens: number, beam: Beam) {
  const model = new FakeModel(fake);
  const seqs = await generate(model, prompt, { strategy: 'beam', maxNewTokens, ...beam });
  return { model, seqs };
}

/** Compares with the HF transcription: same finished hypotheses, order, scores and step count. */
async function matchesHf(fake: FakeModelOptions, prompt: number[], maxNewTokens: number, beam: Beam) {
  const { model, seqs } = await ours(fake, prompt, maxNewTokens, { ...beam, numReturnSequences: beam.numBeams });
  const ref = hfBeamSearch({
    vocabSize: fake.vocabSize,
    logitsFor: (h) => model.logitsFor(h),
    prompt,
    numBeams: beam.numBeams,
    maxNewTokens,
    eos: fake.eosTokenIds ?? [],
    banned: fake.bannedTokenIds ?? [],
    lengthPenalty: beam.lengthPenalty ?? 1,
    earlyStopping: beam.earlyStopping ?? false,
  });
  // HF's −1e9 placeholders are never real hypotheses.
  const real = ref.beams.filter((b) => b.finished && b.score > -1e6);
  const eos = fake.eosTokenIds ?? [];
  const same =
    seqs.length === real.length &&
    seqs.every((s, j) => {
      const hf = real[j].tokens;
      const hfEos = eos.includes(hf[hf.length - 1]);
      const hfTokens = hfEos ? hf.slice(0, -1) : hf;
      return (
        JSON.stringify(s.tokens) === JSON.stringify(hfTokens) &&
        (s.finishReason === 'eos') === hfEos &&
        Math.abs(s.score - real[j].score) < 1e-9
      );
    }) &&
    model.decodeCalls.length + 1 === ref.steps;
  return { same, seqs, real, model };
}

/** Every sequence that could finish within `steps` tokens, scored as beam search scores it, best first. */
function bruteForce(model: FakeModel, prompt: number[], steps: number, eos: number[], alpha: number) {
  const out: { tokens: number[]; score: number }[] = [];
  const grow = (prefix: number[], logProb: number) => {
    const lp = logSoftmax(model.logitsFor([...prompt, ...prefix]));
    for (let v = 0; v < model.vocabSize; v++) {
      const tokens = [...prefix, v];
      const total = logProb + lp[v];
      if (eos.includes(v) || tokens.length === steps) out.push({ tokens, score: total / tokens.length ** alpha });
      else grow(tokens, total);
    }
  };
  grow([], 0);
  return out.sort((a, b) => b.score - a.score);
}

describe('generate: beam search', () => {
  it('is exhaustive when numBeams ≥ V^steps: the best beams are the best sequences', async () => {
    for (const [eos, alpha] of [
      [[], 0],
      [[0], 0],
      [[0], 1],
      [[0], 2],
    ] as [number[], number][]) {
      const fake = { vocabSize: 4, seed: 21, eosTokenIds: eos };
      const { model, seqs } = await ours(fake, [1, 2], 3, {
        numBeams: 64,
        numReturnSequences: 20,
        lengthPenalty: alpha,
      });
      const truth = bruteForce(model, [1, 2], 3, eos, alpha).slice(0, 20);
      expect(seqs.map((s) => withEos(s, eos))).toEqual(truth.map((t) => t.tokens));
      seqs.forEach((s, j) => {
        expect(s.score).toBeCloseTo(truth[j].score, 9);
      });
    }
  });

  it('matches HF beam search (scores, order, early stopping) across settings', async () => {
    let compared = 0;
    for (const seed of [1, 2]) {
      for (const eos of [[0], [0, 1]]) {
        for (const banned of [[], [3]]) {
          for (const numBeams of [1, 2, 3, 5]) {
            for (const lengthPenalty of [1, 0, 2, -0.5]) {
              for (const earlyStopping of [false, true, 'never'] as const) {
                const fake = { vocabSize: 5, seed, eosTokenIds: eos, bannedTokenIds: banned };
                const r = await matchesHf(fake, [2, 4], 4, { numBeams, lengthPenalty, earlyStopping });
                if (!r.same) expect({ ours: r.seqs, hf: r.real, seed, eos, banned, numBeams }).toBeUndefined();
                compared++;
              }
            }
          }
        }
      }
    }
    expect(compared).toBe(384);
  });

  it('reorders the cache through sourceRows: an ignored reorder is caught', async () => {
    const fake = { vocabSize: 5, seed: 7, eosTokenIds: [0] };
    const beam = { numBeams: 3, lengthPenalty: 1 };
    const good = await matchesHf(fake, [1], 5, beam);
    expect(good.same).toBe(true);
    expect(good.model.decodeCalls.every((c) => c.sourceRows !== undefined)).toBe(true);
    // the search really reorders (not identity), so the check below has teeth
    expect(good.model.decodeCalls.some((c) => c.sourceRows!.some((r, k) => r !== k))).toBe(true);
    for (const s of good.seqs) expect(s.logProb).toBeCloseTo(good.model.sequenceLogProb([1], withEos(s, [0])), 9);

    const broken = await matchesHf({ ...fake, ignoreSourceRows: true }, [1], 5, beam);
    expect(broken.same).toBe(false);
    const consistent = broken.seqs.every(
      (s) => Math.abs(s.logProb - broken.model.sequenceLogProb([1], withEos(s, [0]))) < 1e-9,
    );
    expect(consistent).toBe(false);
  });

  it('with one beam and earlyStopping false returns the greedy sequence', async () => {
    for (const seed of [3, 4, 5]) {
      const fake = { vocabSize: 6, seed, eosTokenIds: [0] };
      const [greedy] = await generate(new FakeModel(fake), [1], { maxNewTokens: 6 });
      const { seqs } = await ours(fake, [1], 6, { numBeams: 1, lengthPenalty: 1 });
      const length = greedy.tokens.length + (greedy.finishReason === 'eos' ? 1 : 0);
      expect(seqs).toEqual([{ ...greedy, score: greedy.logProb / length }]);
    }
  });

  it('batches prompts of different lengths like single runs', async () => {
    const fake = { vocabSize: 6, seed: 12, eosTokenIds: [0] };
    const beam = {
      strategy: 'beam' as const,
      maxNewTokens: 5,
      numBeams: 3,
      numReturnSequences: 2,
      earlyStopping: true,
    };
    const prompts = [[1, 2, 3], [4], [5, 1]];
    const alone = [];
    for (const p of prompts) alone.push(await generate(new FakeModel(fake), p, beam));
    const model = new FakeModel(fake);
    expect(await generate(model, prompts, beam)).toEqual(alone);
    expect(model.decodeCalls[0].tokens).toHaveLength(9);
  });

  it("stops each prompt's beams at its own maxLength, like single runs", async () => {
    const fake = { vocabSize: 6, seed: 5, maxLength: 6 };
    const beam = { strategy: 'beam' as const, maxNewTokens: 10, numBeams: 2, numReturnSequences: 2 };
    const prompts = [[1], [1, 2, 3, 4], [1, 2, 3, 4, 5, 1]];
    const batch = await generate(new FakeModel(fake), prompts, beam);
    expect(batch.map((hyps) => hyps.map((h) => h.tokens.length))).toEqual([[5, 5], [2, 2], [0]]);
    expect(batch.flat().every((h) => h.finishReason === 'length')).toBe(true);
    for (const [k, p] of prompts.entries()) expect(batch[k]).toEqual(await generate(new FakeModel(fake), p, beam));
    // The options' maxLength overrides the model's.
    const [shorter] = await generate(new FakeModel(fake), [[1]], { ...beam, maxLength: 3 });
    expect(shorter.map((h) => h.tokens.length)).toEqual([2, 2]);
  });

  it('treats a stop string like an EOS that stays out of the text', async () => {
    const decode = letterDecoder(['a', 'b', 'c', 'd', '.\n']);
    const fake = { vocabSize: 5, seed: 30, eosTokenIds: [0] };
    const beam = { strategy: 'beam' as const, maxNewTokens: 5, numBeams: 3, numReturnSequences: 3, decode };
    const model = new FakeModel(fake);
    const viaStop = await generate(model, [1], { ...beam, stopStrings: ['\n'] });
    const viaEos = await generate(new FakeModel(fake), [1], { ...beam, eosTokenIds: [0, 4] });
    expect(viaStop.some((s) => s.finishReason === 'stop')).toBe(true);
    viaStop.forEach((s, j) => {
      const e = viaEos[j];
      const endedByFour = Math.abs(e.logProb - model.sequenceLogProb([1], [...e.tokens, 4])) < 1e-9;
      expect(s.finishReason).toBe(e.finishReason === 'eos' && endedByFour ? 'stop' : e.finishReason);
      expect(s.score).toBeCloseTo(e.score, 9);
      expect(s.tokens).toEqual(e.tokens);
      expect(s.text).toBe(s.finishReason === 'stop' ? `${decode(s.tokens)}.` : decode(s.tokens));
    });
  });

  it('returns the best partial beams, marked aborted, when cancelled', async () => {
    const ctrl = new AbortController();
    const model = new FakeModel({ vocabSize: 6, seed: 2, eosTokenIds: [] });
    const decode = model.decode.bind(model);
    model.decode = async (...args) => {
      ctrl.abort();
      return decode(...args);
    };
    const seqs = await generate(model, [1], {
      strategy: 'beam',
      numBeams: 2,
      numReturnSequences: 2,
      maxNewTokens: 8,
      signal: ctrl.signal,
    });
    expect(model.decodeCalls).toHaveLength(1);
    expect(seqs.map((s) => [s.finishReason, s.tokens.length])).toEqual([
      ['aborted', 1],
      ['aborted', 1],
    ]);
    expect(seqs[0].score).toBeGreaterThanOrEqual(seqs[1].score);
  });
});
