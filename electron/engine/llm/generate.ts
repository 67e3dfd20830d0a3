/**
 * Text generation over a NextTokenModel (KV cache: one prefill, then one decode per token):
 * greedy, sampling (temperature → top-k → top-p, seeded) and beam search (beam-search.ts, HF
 * semantics), with EOS, stop strings, banned tokens, streaming and cancellation; and
 * scoreNextToken, which reads the next-token logits for a few candidates ("Yes"/"No") without
 * generating. Not a tokenizer: callers pass ids, and a decode function for text and stop strings.
 *
 * Semantics shared by all strategies (see GeneratedSequence and the option types):
 *  - banned ids (model's + options') get −∞ before every choice;
 *  - an EOS ends a sequence and is not returned, but its log-prob is in logProb/score and it counts
 *    towards maxNewTokens and the beam length penalty;
 *  - a stop string ends a sequence as soon as the generated text contains it; the text is cut where
 *    it starts and the tokens keep only whole tokens before it;
 *  - finished prompts leave the batch: their cache rows are dropped through decode's sourceRows.
 */
import { Rng } from '../random.ts';
import { beamSearch } from './beam-search.ts';
import {
  type AllowedSequences,
  type BeamSettings,
  type FinishReason,
  type GeneratedSequence,
  type GenerateOptions,
  GenerationOptionsError,
  type OnToken,
  type ScoreNextTokenOptions,
  type StopRules,
} from './generation-types.ts';
import type { NextTokenModel } from './next-token-model.ts';
import { argmax, logProbAt, logSoftmax, maskBanned, type SamplingParams, sampleToken } from './sampling.ts';
import { findStopString, pendingStopPrefixLength, tokensBefore } from './stop-strings.ts';
import { TokenTrie } from './token-trie.ts';

export type {
  BeamOptions,
  FinishReason,
  GeneratedSequence,
  GenerateOptions,
  GreedyOptions,
  OnToken,
  SampleOptions,
  ScoreNextTokenOptions,
} from './generation-types.ts';
export { GenerationOptionsError } from './generation-types.ts';

function check(ok: boolean, message: string): void {
  if (!ok) throw new GenerationOptionsError(message);
}

function checkTokenIds(model: NextTokenModel, ids: readonly number[], what: string): void {
  for (const id of ids) {
    check(
      Number.isInteger(id) && id >= 0 && id < model.vocabSize,
      `${what}: ${id} is not a token id below ${model.vocabSize}`,
    );
  }
}

function checkPrompts(model: NextTokenModel, prompts: number[][]): void {
  prompts.forEach((p, i) => {
    check(p.length > 0, `prompt ${i} is empty`);
    checkTokenIds(model, p, `prompt ${i}`);
  });
}

function stopRules(model: NextTokenModel, prompts: number[][], opts: GenerateOptions): StopRules {
  check(Number.isInteger(opts.maxNewTokens) && opts.maxNewTokens >= 0, 'maxNewTokens must be an integer ≥ 0');
  const maxLength = opts.maxLength ?? model.maxLength ?? Number.POSITIVE_INFINITY;
  check(maxLength > 0, 'maxLength must be > 0');
  prompts.forEach((p, i) => {
    check(p.length <= maxLength, `prompt ${i} has ${p.length} tokens, more than maxLength ${maxLength}`);
  });
  const eos = opts.eosTokenIds ?? model.eosTokenIds;
  const banned = [...new Set([...model.bannedTokenIds, ...(opts.bannedTokenIds ?? [])])];
  checkTokenIds(model, eos, 'eosTokenIds');
  checkTokenIds(model, banned, 'bannedTokenIds');
  const stopStrings = opts.stopStrings ?? [];
  check(
    stopStrings.every((s) => s.length > 0),
    'stop strings must be non-empty',
  );
  check(stopStrings.length === 0 || opts.decode !== undefined, 'stop strings need a decode function');
  return {
    maxNewTokens: opts.maxNewTokens,
    limits: prompts.map((p) => Math.min(opts.maxNewTokens, maxLength - p.length)),
    eos: new Set(eos),
    banned,
    stopStrings,
    decode: opts.decode,
    signal: opts.signal,
    prefill: opts.prefill,
  };
}

function beamSettings(opts: GenerateOptions & { strategy: 'beam' }): BeamSettings {
  const s = {
    numBeams: opts.numBeams,
    numReturnSequences: opts.numReturnSequences ?? 1,
    lengthPenalty: opts.lengthPenalty ?? 1,
    earlyStopping: opts.earlyStopping ?? false,
  };
  check(Number.isInteger(s.numBeams) && s.numBeams >= 1, 'numBeams must be an integer ≥ 1');
  check(
    Number.isInteger(s.numReturnSequences) && s.numReturnSequences >= 1 && s.numReturnSequences <= s.numBeams,
    'numReturnSequences must be an integer in [1, numBeams]',
  );
  check(Number.isFinite(s.lengthPenalty), 'lengthPenalty must be finite');
  check([true, false, 'never'].includes(s.earlyStopping), "earlyStopping must be true, false or 'never'");
  return s;
}

function samplingParams(opts: GenerateOptions & { strategy: 'sample' }): SamplingParams {
  const p = { temperature: opts.temperature ?? 1, topK: opts.topK ?? 0, topP: opts.topP ?? 1 };
  check(Number.isFinite(p.temperature) && p.temperature > 0, 'temperature must be > 0');
  check(Number.isInteger(p.topK) && p.topK >= 0, 'topK must be an integer ≥ 0');
  check(p.topP >= 0 && p.topP <= 1, 'topP must be in [0, 1]');
  check(Number.isInteger(opts.seed), 'sampling needs an integer seed');
  return p;
}

function unfinished(rules: StopRules, reason: FinishReason): GeneratedSequence {
  return { tokens: [], text: rules.decode ? '' : undefined, logProb: 0, score: 0, finishReason: reason };
}

/** Greedy or sampling: one token per live row per step. `choose` gets banned-masked scores. */
async function generateStepwise(
  model: NextTokenModel,
  prompts: number[][],
  rules: StopRules,
  choose: (scores: Float64Array, promptIndex: number) => number,
  onToken: OnToken | undefined,
): Promise<GeneratedSequence[][]> {
  const V = model.vocabSize;
  const seqs = prompts.map(() => unfinished(rules, 'aborted'));
  let { logits, cache } = await model.prefill(prompts, rules.prefill);
  let live = prompts.map((_, i) => i);
  for (let step = 0; live.length > 0 && !rules.signal?.aborted; step++) {
    const next: number[] = [];
    const nextRows: number[] = [];
    const nextTokens: number[] = [];
    live.forEach((i, row) => {
      const s = seqs[i];
      if (rules.limits[i] === 0) {
        s.finishReason = 'length'; // a prompt that fills the context: nothing to generate
        return;
      }
      const raw = logits.subarray(row * V, (row + 1) * V);
      const token = choose(maskBanned(raw, rules.banned), i);
      check(token >= 0, 'every token is banned');
      s.logProb += logProbAt(raw, token);
      s.score = s.logProb;
      if (rules.eos.has(token)) {
        s.finishReason = 'eos';
        return;
      }
      s.tokens.push(token);
      let streamed = '';
      if (rules.decode) {
        const text = rules.decode(s.tokens);
        const cut = findStopString(text, rules.stopStrings);
        if (cut >= 0) {
          s.tokens = tokensBefore(s.tokens, rules.decode, cut);
          s.text = text.slice(0, cut);
          s.finishReason = 'stop';
          return;
        }
        s.text = text;
        streamed = text.slice(0, text.length - pendingStopPrefixLength(text, rules.stopStrings));
      }
      onToken?.(token, streamed, i);
      if (step + 1 >= rules.limits[i]) {
        s.finishReason = 'length';
        return;
      }
      next.push(i);
      nextRows.push(row);
      nextTokens.push(token);
    });
    const rows = live.length;
    live = next;
    if (live.length === 0 || rules.signal?.aborted) break;
    ({ logits, cache } = await model.decode(cache, nextTokens, nextRows.length === rows ? undefined : nextRows));
  }
  return seqs.map((s) => [s]);
}

/** One trie per prompt of its allowed sequences, checked against the prompts and the EOS. */
function allowedTries(prompts: number[][], rules: StopRules, allowed: AllowedSequences): TokenTrie[] {
  check(
    allowed.length === prompts.length,
    `allowedSequences has ${allowed.length} entries for ${prompts.length} prompts`,
  );
  check(rules.eos.size > 0, 'constrained decoding needs an EOS token id');
  return allowed.map((seqs) => new TokenTrie(seqs));
}

/** Greedy restricted to each prompt's allowed sequences: a trie walker per prompt. */
function constrainedChooser(
  prompts: number[][],
  rules: StopRules,
  allowed: AllowedSequences,
): (scores: Float64Array, promptIndex: number) => number {
  const eos = [...rules.eos][0];
  const walkers = allowedTries(prompts, rules, allowed).map((trie) => trie.walker(eos));
  return (scores, i) => {
    const token = walkers[i].choose(scores);
    walkers[i].advance(token);
    return token;
  };
}

/**
 * Generates from one prompt (→ its sequences) or a batch (→ sequences per prompt). Greedy and
 * sampling return one sequence per prompt; beam search up to numReturnSequences, best first.
 * A single `[]` is an empty prompt, which is an error.
 */
export function generate(model: NextTokenModel, prompt: number[], opts: GenerateOptions): Promise<GeneratedSequence[]>;
export function generate(
  model: NextTokenModel,
  prompts: number[][],
  opts: GenerateOptions,
): Promise<GeneratedSequence[][]>;
export async function generate(
  model: NextTokenModel,
  promptOrPrompts: number[] | number[][],
  opts: GenerateOptions,
): Promise<GeneratedSequence[] | GeneratedSequence[][]> {
  const batched = Array.isArray(promptOrPrompts[0]);
  const prompts = batched ? (promptOrPrompts as number[][]) : [promptOrPrompts as number[]];
  checkPrompts(model, prompts);
  const rules = stopRules(model, prompts, opts);
  const beam = opts.strategy === 'beam' ? beamSettings(opts) : undefined;
  const sampling = opts.strategy === 'sample' ? samplingParams(opts) : undefined;

  let out: GeneratedSequence[][];
  if (rules.maxNewTokens === 0 || rules.signal?.aborted) {
    const reason = rules.signal?.aborted ? 'aborted' : 'length';
    out = prompts.map(() => [unfinished(rules, reason)]);
  } else if (opts.strategy === 'beam') {
    const tries = opts.allowedSequences ? allowedTries(prompts, rules, opts.allowedSequences) : undefined;
    out = await beamSearch(model, prompts, rules, beam!, tries);
  } else if (opts.strategy === 'sample') {
    const root = new Rng(opts.seed);
    const rngs = prompts.map((_, i) => root.fork(`prompt${i}`));
    out = await generateStepwise(model, prompts, rules, (s, i) => sampleToken(s, sampling!, rngs[i]), opts.onToken);
  } else if (opts.allowedSequences) {
    out = await generateStepwise(
      model,
      prompts,
      rules,
      constrainedChooser(prompts, rules, opts.allowedSequences),
      opts.onToken,
    );
  } else {
    out = await generateStepwise(model, prompts, rules, argmax, opts.onToken);
  }
  return batched ? out : out[0];
}

export interface NextTokenScores {
  tokenIds: number[];
  /** Raw logits of the candidates at the position after the prompt. */
  logits: number[];
  /** Their log-probs over the whole vocabulary (nothing banned, no renormalising over the candidates). */
  logProbs: number[];
}

/**
 * How likely each candidate token is right after the prompt, e.g. "Yes" vs "No": one prefill, no
 * generation. Softmax over `logits` to compare the candidates among themselves.
 */
export function scoreNextToken(
  model: NextTokenModel,
  prompt: number[],
  tokenIds: readonly number[],
  opts?: ScoreNextTokenOptions,
): Promise<NextTokenScores>;
export function scoreNextToken(
  model: NextTokenModel,
  prompts: number[][],
  tokenIds: readonly number[],
  opts?: ScoreNextTokenOptions,
): Promise<NextTokenScores[]>;
export async function scoreNextToken(
  model: NextTokenModel,
  promptOrPrompts: number[] | number[][],
  tokenIds: readonly number[],
  opts: ScoreNextTokenOptions = {},
): Promise<NextTokenScores | NextTokenScores[]> {
  const batched = Array.isArray(promptOrPrompts[0]);
  const prompts = batched ? (promptOrPrompts as number[][]) : [promptOrPrompts as number[]];
  checkPrompts(model, prompts);
  checkTokenIds(model, tokenIds, 'candidate tokens');
  const { logits } = await model.prefill(prompts, opts.prefill);
  const V = model.vocabSize;
  const out = prompts.map((_, i) => {
    const row = logits.subarray(i * V, (i + 1) * V);
    const lp = logSoftmax(row);
    return { tokenIds: [...tokenIds], logits: tokenIds.map((t) => row[t]), logProbs: tokenIds.map((t) => lp[t]) };
  });
  return batched ? out : out[0];
}
