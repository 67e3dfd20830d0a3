/**
 * Non-personalised reference scorers for the evaluation report. They return score rows shaped like
 * a recommender's ([numItems + 1], column 0 = −Infinity), so the same rank functions and the same
 * exclusions apply to them as to the model: the report compares like with like.
 */
import type { ProcessedDataset } from '../data/preprocess.ts';
import { leaveOneOutSplit } from '../data/split.ts';
import type { Rng } from '../random.ts';

/**
 * Interaction count of each item over the training part of the leave-one-out split only: counting
 * validation or test items would leak the held-out answers into the baseline.
 */
export function popularityScores(
  ds: Pick<ProcessedDataset, 'numUsers' | 'numItems' | 'offsets' | 'items'>,
): Float32Array {
  const split = leaveOneOutSplit(ds);
  const scores = new Float32Array(ds.numItems + 1);
  for (let u = 1; u <= ds.numUsers; u++) {
    const seq = split.trainSequence(u);
    for (let k = 0; k < seq.length; k++) scores[seq[k]]++;
  }
  scores[0] = Number.NEGATIVE_INFINITY;
  return scores;
}

/** Uniform random scores in [0, 1) for one user; pass `out` to reuse a buffer across users. */
export function randomScores(rng: Rng, numItems: number, out = new Float32Array(numItems + 1)): Float32Array {
  if (out.length !== numItems + 1) throw new RangeError(`buffer holds ${out.length} scores, expected ${numItems + 1}`);
  out[0] = Number.NEGATIVE_INFINITY;
  for (let i = 1; i <= numItems; i++) out[i] = rng.next();
  return out;
}
