/**
 * Ranks within one score row [numItems + 1] the way the recommender exports do (rank-select.ts):
 * score descending, ties to the lower id, the given history items and column 0 excluded.
 */
import { ranksBefore } from '../recommender/export/rank-select.ts';

/** Flags [numItems + 1] of the items in `history`. */
export function historyMask(numItems: number, history: ArrayLike<number>): Uint8Array {
  const mask = new Uint8Array(numItems + 1);
  for (let k = 0; k < history.length; k++) mask[history[k]] = 1;
  return mask;
}

/** The best `k` non-history items, best first. */
export function topItems(scores: Float32Array, mask: Uint8Array, k: number): number[] {
  const top: number[] = [];
  for (let i = 1; i < scores.length; i++) {
    if (mask[i] || Number.isNaN(scores[i])) continue;
    if (top.length === k && !ranksBefore(scores, i, top[k - 1])) continue;
    let at = top.length === k ? k - 1 : top.length;
    while (at > 0 && ranksBefore(scores, i, top[at - 1])) {
      top[at] = top[at - 1];
      at--;
    }
    top[at] = i;
  }
  return top;
}

/** 1-based rank of `item` among the non-history items (the item itself counts even if in the history). */
export function rankOf(scores: Float32Array, mask: Uint8Array, item: number): number {
  let rank = 1;
  for (let i = 1; i < scores.length; i++) if (i !== item && !mask[i] && ranksBefore(scores, i, item)) rank++;
  return rank;
}
