/**
 * Labels of one anchor (DESIGN.md §6), from one score row or from a recommendation list.
 * Ranking: non-history items by score descending, ties by lower id (rank-select.ts packs this
 * order into one number per item); N = their number; rank 0 = best.
 *   top1        rank 0 (none when N = 0)
 *   candidates  min(5, N) distinct non-history items drawn uniformly, stored by rank
 *   pos         uniform over ranks [0, ⌊N/5⌋)      → score ≥ score(rank ⌊N/5⌋); none when N < 5
 *   neg         uniform over ranks (⌊N/2⌋, N − 1]  → score ≤ score(rank ⌊N/2⌋); none when N < 3
 * (strictly above / below when the scores are distinct). Random draws happen in a fixed order
 * (candidates, pos, neg), and pos/neg are picked by counting eligible items in id order, so the
 * result depends on the seed only, not on how the selection reorders its scratch space.
 * Per row: O(numItems) time; the O(numItems) scratch is allocated once and reused.
 */
import type { Rng } from '../../random.ts';
import { itemOfKey, MAX_RANKED_ITEMS, rankKey, scoreBits, selectKey } from './rank-select.ts';
import { NO_ITEM, NUM_CANDIDATES } from './summary.ts';

/** One anchor's labels; missing ones are NO_ITEM with a NaN score. */
export interface RowLabels {
  top1: number;
  top1Score: number;
  /** NUM_CANDIDATES slots, best first, NO_ITEM-padded. */
  candidates: Int32Array;
  candidateScores: Float32Array;
  pos: number;
  posScore: number;
  neg: number;
  negScore: number;
}

export function emptyRowLabels(): RowLabels {
  return {
    top1: NO_ITEM,
    top1Score: Number.NaN,
    candidates: new Int32Array(NUM_CANDIDATES).fill(NO_ITEM),
    candidateScores: new Float32Array(NUM_CANDIDATES).fill(Number.NaN),
    pos: NO_ITEM,
    posScore: Number.NaN,
    neg: NO_ITEM,
    negScore: Number.NaN,
  };
}

function reset(out: RowLabels): void {
  out.top1 = NO_ITEM;
  out.top1Score = Number.NaN;
  out.candidates.fill(NO_ITEM);
  out.candidateScores.fill(Number.NaN);
  out.pos = NO_ITEM;
  out.posScore = Number.NaN;
  out.neg = NO_ITEM;
  out.negScore = Number.NaN;
}

/** Reusable per-row work space for `numItems` items. */
export class RowScratch {
  /** inHistory[item] = 1 while labelling a row whose history holds the item; [0] (padding) stays 1. */
  readonly inHistory: Uint8Array;
  /** Rank keys of the non-history items (scored rows). */
  readonly keys: Float64Array;
  /** Listed non-history items (list rows). */
  readonly ids: Int32Array;
  constructor(readonly numItems: number) {
    if (numItems > MAX_RANKED_ITEMS) throw new RangeError(`${numItems} items exceed the ${MAX_RANKED_ITEMS} supported`);
    this.inHistory = new Uint8Array(numItems + 1);
    this.inHistory[0] = 1;
    this.keys = new Float64Array(numItems);
    this.ids = new Int32Array(numItems);
  }

  /** Marks the history, runs `fn`, and unmarks it again (ids outside 1..numItems are ignored). */
  withHistory<T>(history: Uint32Array, fn: () => T): T {
    const mask = this.inHistory;
    for (let k = 0; k < history.length; k++) if (history[k] <= this.numItems) mask[history[k]] = 1;
    try {
      return fn();
    } finally {
      for (let k = 0; k < history.length; k++) if (history[k] <= this.numItems) mask[history[k]] = 0;
      mask[0] = 1;
    }
  }
}

/** Partial Fisher–Yates: a[0..k) become k distinct uniform draws from a[0..n). */
function drawDistinct(a: Int32Array | Float64Array, n: number, k: number, rng: Rng): void {
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
}

/**
 * Labels one score row (`scores[item]`, item 0 ignored) for the history marked in `scratch`.
 * Throws on a NaN score: a recommender that produces one is broken and its labels would be noise.
 */
export function labelScoredRow(scores: Float32Array, scratch: RowScratch, rng: Rng, out: RowLabels): void {
  reset(out);
  const { inHistory, keys, numItems } = scratch;
  const bits = scoreBits(scores);
  let n = 0;
  let bestKey = -1;
  for (let item = 1; item <= numItems; item++) {
    if (inHistory[item]) continue;
    if (Number.isNaN(scores[item])) throw new Error(`recommender returned NaN for item ${item}`);
    const key = rankKey(bits[item], item);
    keys[n++] = key;
    if (key > bestKey) bestKey = key;
  }
  if (n === 0) return;
  out.top1 = itemOfKey(bestKey);
  out.top1Score = scores[out.top1];

  const k = Math.min(NUM_CANDIDATES, n);
  drawDistinct(keys, n, k, rng);
  const drawn = keys.slice(0, k).sort().reverse(); // best first
  for (let c = 0; c < k; c++) {
    out.candidates[c] = itemOfKey(drawn[c]);
    out.candidateScores[c] = scores[out.candidates[c]];
  }

  const posCount = Math.floor(n / 5);
  const negRank = Math.floor(n / 2);
  const negCount = n - 1 - negRank;
  if (negCount <= 0) return;
  // The ⌊N/2⌋ selection leaves the ⌊N/2⌋ best in keys[0..⌊N/2⌋), where the ⌊N/5⌋ one is found.
  const negKey = selectKey(keys, 0, n, negRank);
  const posKey = posCount > 0 ? selectKey(keys, 0, negRank, posCount) : Number.POSITIVE_INFINITY;
  let posLeft = posCount > 0 ? rng.int(posCount) : -1;
  let negLeft = rng.int(negCount);
  for (let item = 1; item <= numItems && (posLeft >= 0 || negLeft >= 0); item++) {
    if (inHistory[item]) continue;
    const key = rankKey(bits[item], item);
    if (key > posKey && posLeft-- === 0) out.pos = item;
    else if (key < negKey && negLeft-- === 0) out.neg = item;
  }
  if (out.pos !== NO_ITEM) out.posScore = scores[out.pos];
  out.negScore = scores[out.neg];
}

/**
 * Labels from a ranked list (best first) for the history marked in `scratch`: the list filtered to
 * non-history items (first occurrence, ids 1..numItems) is the ranking, N = its length. Scores
 * stay NaN; candidates are stored in list order.
 */
export function labelListRow(list: Uint32Array, scratch: RowScratch, rng: Rng, out: RowLabels): void {
  reset(out);
  const { inHistory, ids, numItems } = scratch;
  let n = 0;
  for (let k = 0; k < list.length && n < numItems; k++) {
    const item = list[k];
    if (item < 1 || item > numItems || inHistory[item]) continue;
    inHistory[item] = 1; // marks it seen, so a repeated entry is skipped
    ids[n++] = item;
  }
  for (let r = 0; r < n; r++) inHistory[ids[r]] = 0;
  if (n === 0) return;
  out.top1 = ids[0];
  const k = Math.min(NUM_CANDIDATES, n);
  const ranks = Int32Array.from({ length: n }, (_, r) => r);
  drawDistinct(ranks, n, k, rng);
  const drawn = ranks.subarray(0, k).sort();
  for (let c = 0; c < k; c++) out.candidates[c] = ids[drawn[c]];
  const posCount = Math.floor(n / 5);
  const negRank = Math.floor(n / 2);
  const negCount = n - 1 - negRank;
  if (posCount > 0) out.pos = ids[rng.int(posCount)];
  if (negCount > 0) out.neg = ids[negRank + 1 + rng.int(negCount)];
}
