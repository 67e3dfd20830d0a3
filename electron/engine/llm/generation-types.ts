/**
 * Options and results of generate() (generate.ts), kept apart so the strategies (the token-by-token
 * loop in generate.ts, beam-search.ts) share them without importing each other.
 */
import { RecxError } from '../errors.ts';
import type { PrefillOptions } from './next-token-model.ts';

/** Bad generation settings (a range, a missing decode function for stop strings, …). */
export class GenerationOptionsError extends RecxError {
  override name = 'GenerationOptionsError';
}

export type FinishReason = 'eos' | 'stop' | 'length' | 'aborted';

/** Token ids → text. Receives the generated ids only (never the prompt). */
export type DecodeTokens = (ids: readonly number[]) => string;

export interface CommonGenerateOptions {
  /** Most tokens generated per sequence. An EOS counts (it is generated) though it is not returned. */
  maxNewTokens: number;
  /**
   * Longest prompt + generated tokens of a row (default: the model's maxLength). Each row stops at
   * its own limit, so a long prompt in a batch does not shorten the others' answers.
   */
  maxLength?: number;
  /** Replaces model.eosTokenIds when given. */
  eosTokenIds?: readonly number[];
  /** Added to model.bannedTokenIds; all of them get −∞ before any choice. */
  bannedTokenIds?: readonly number[];
  /** Stop once the generated text contains one of these (non-empty strings; needs `decode`). */
  stopStrings?: readonly string[];
  /** Gives each result a `text`, and is what stop strings are matched against. */
  decode?: DecodeTokens;
  /** Cancels between model calls; unfinished sequences come back with finishReason 'aborted'. */
  signal?: AbortSignal;
  /** Passed to model.prefill unchanged (its arrays hold one entry per prompt). */
  prefill?: PrefillOptions;
}

/**
 * Called once per returned token as it is chosen (never for an EOS, nor for the token that
 * completes a stop string). `textSoFar` is the decoded text ('' without `decode`) less any tail
 * that could still grow into a stop string, so it is always a prefix of the final text.
 */
export type OnToken = (token: number, textSoFar: string, promptIndex: number) => void;

export interface GreedyOptions extends CommonGenerateOptions {
  strategy?: 'greedy';
  onToken?: OnToken;
  /**
   * Per prompt, the token sequences the answer must be one of (constrained decoding, token-trie.ts);
   * each step takes the best allowed token, and an EOS ends a complete sequence. Needs an EOS id.
   */
  allowedSequences?: AllowedSequences;
}

/** Per prompt, the token sequences its answer must be one of. */
export type AllowedSequences = readonly (readonly (readonly number[])[])[];

export interface SampleOptions extends CommonGenerateOptions {
  strategy: 'sample';
  /** > 0; default 1. */
  temperature?: number;
  /** 0 (default) = off. */
  topK?: number;
  /** In [0, 1]; 1 (default) = off. */
  topP?: number;
  /** Prompt i draws from new Rng(seed).fork(`prompt${i}`): the same seed gives the same text. */
  seed: number;
  onToken?: OnToken;
}

export interface BeamOptions extends CommonGenerateOptions {
  strategy: 'beam';
  numBeams: number;
  /** ≤ numBeams; default 1. Fewer come back when fewer hypotheses finished (e.g. most tokens banned). */
  numReturnSequences?: number;
  /** Finished score = logProb / generatedLength^lengthPenalty (HF); default 1. */
  lengthPenalty?: number;
  /**
   * HF semantics; default false. true: a prompt stops once numBeams hypotheses finished. false:
   * it stops when also the best running beam, scored at its current length, cannot beat the worst
   * finished one. 'never': as false, but with lengthPenalty > 0 the running beam is scored at
   * maxNewTokens (the canonical, exact stopping rule).
   */
  earlyStopping?: boolean | 'never';
  /**
   * Per prompt, the token sequences every returned answer must be one of: each beam continues only
   * with the tokens its prefix allows (token-trie.ts). Needs an EOS id. With lengthPenalty 0 and
   * enough beams this finds the allowed sequence the model finds most probable.
   */
  allowedSequences?: AllowedSequences;
}

export type GenerateOptions = GreedyOptions | SampleOptions | BeamOptions;

export interface GeneratedSequence {
  /** Generated ids, without the EOS token and without the tokens of a stop string. */
  tokens: number[];
  /** Present when `decode` was given: decode(tokens), or for 'stop' the text cut where the stop string starts. */
  text?: string;
  /**
   * Sum of log p(token) under the model (log-softmax of its raw logits) over every generated token,
   * the EOS and stop-string tokens included.
   */
  logProb: number;
  /** Greedy/sample: logProb. Beam: logProb / generatedLength^lengthPenalty (HF's sequences_scores). */
  score: number;
  finishReason: FinishReason;
}

export interface ScoreNextTokenOptions {
  /** Passed to model.prefill unchanged. */
  prefill?: PrefillOptions;
}

/** Options after validation and defaults, as every strategy uses them. */
export interface StopRules {
  maxNewTokens: number;
  /** Per prompt: most new tokens, min(maxNewTokens, maxLength − prompt length). */
  limits: readonly number[];
  eos: ReadonlySet<number>;
  banned: readonly number[];
  stopStrings: readonly string[];
  decode?: DecodeTokens;
  signal?: AbortSignal;
  prefill?: PrefillOptions;
}

export interface BeamSettings {
  numBeams: number;
  numReturnSequences: number;
  lengthPenalty: number;
  earlyStopping: boolean | 'never';
}
