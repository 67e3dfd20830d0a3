/**
 * Turning one row of next-token logits [V] into a choice: log-softmax, banning, temperature, top-k,
 * top-p (Hugging Face semantics, applied in that order) and a seeded draw. Pure functions over
 * float64 copies, so each step can be checked on its own.
 */
import type { Rng } from '../random.ts';

export interface SamplingParams {
  /** Divides the logits; > 0. 1 leaves them unchanged. */
  temperature: number;
  /** Keep the k largest logits; ties with the k-th are kept too (as HF's TopKLogitsWarper). 0 = off. */
  topK: number;
  /**
   * Nucleus: keep the smallest set of most likely tokens whose probabilities sum to ≥ p, at least one
   * token (HF's TopPLogitsWarper: a token is kept iff the mass of tokens strictly more likely is < p).
   * 1 = off.
   */
  topP: number;
}

/** Float64 copy of `logits` with the banned ids set to −∞. */
export function maskBanned(logits: ArrayLike<number>, banned: readonly number[]): Float64Array {
  const out = Float64Array.from(logits);
  for (const id of banned) out[id] = Number.NEGATIVE_INFINITY;
  return out;
}

function logSumExp(x: ArrayLike<number>): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) if (x[i] > max) max = x[i];
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.exp(x[i] - max);
  return max + Math.log(sum);
}

export function logSoftmax(x: ArrayLike<number>): Float64Array {
  const lse = logSumExp(x);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] - lse;
  return out;
}

/** log softmax(x)[index] without materialising the whole row. */
export function logProbAt(x: ArrayLike<number>, index: number): number {
  return x[index] - logSumExp(x);
}

export function softmax(x: ArrayLike<number>): Float64Array {
  const out = logSoftmax(x);
  for (let i = 0; i < out.length; i++) out[i] = Math.exp(out[i]);
  return out;
}

/** First index of the largest value; −1 when every value is −∞. */
export function argmax(x: ArrayLike<number>): number {
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > bestValue) {
      bestValue = x[i];
      best = i;
    }
  }
  return best;
}

export function applyTemperature(scores: Float64Array, temperature: number): Float64Array {
  if (temperature !== 1) for (let i = 0; i < scores.length; i++) scores[i] /= temperature;
  return scores;
}

export function applyTopK(scores: Float64Array, k: number): Float64Array {
  if (k <= 0 || k >= scores.length) return scores;
  const kth = Float64Array.from(scores).sort().reverse()[k - 1];
  for (let i = 0; i < scores.length; i++) if (scores[i] < kth) scores[i] = Number.NEGATIVE_INFINITY;
  return scores;
}

export function applyTopP(scores: Float64Array, p: number): Float64Array {
  if (p >= 1) return scores;
  const probs = softmax(scores);
  const order = Array.from(probs.keys()).sort((a, b) => probs[b] - probs[a] || a - b);
  let massAbove = 0;
  let kept = 0;
  for (const i of order) {
    if (kept > 0 && massAbove >= p) {
      scores[i] = Number.NEGATIVE_INFINITY;
    } else {
      massAbove += probs[i];
      kept++;
    }
  }
  return scores;
}

/** Temperature, then top-k, then top-p, on a copy of `scores` (banned ids already −∞). */
export function warpScores(scores: ArrayLike<number>, params: SamplingParams): Float64Array {
  const out = applyTemperature(Float64Array.from(scores), params.temperature);
  return applyTopP(applyTopK(out, params.topK), params.topP);
}

/**
 * Draws a token from softmax(warpScores(scores)). −1 when every token is −∞. Walks the
 * cumulative distribution itself (rather than Rng.weighted) so rounding can never land on a
 * zero-probability token.
 */
export function sampleToken(scores: ArrayLike<number>, params: SamplingParams, rng: Rng): number {
  const probs = softmax(warpScores(scores, params));
  let total = 0;
  let last = -1;
  for (let i = 0; i < probs.length; i++) {
    if (probs[i] > 0) {
      total += probs[i];
      last = i;
    }
  }
  if (last < 0) return -1;
  let r = rng.next() * total;
  for (let i = 0; i <= last; i++) {
    if (probs[i] <= 0) continue;
    r -= probs[i];
    if (r < 0) return i;
  }
  return last;
}
