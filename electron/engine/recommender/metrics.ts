/**
 * Evaluation maths, pure and allocation-light: where a held-out item ranks under a score row, the
 * HR@k / NDCG@k averages over users, and the paper's alignment metrics on generated titles (§7).
 *
 * Tie rule (all rank functions): rank = #(items scoring strictly higher) + #(other items scoring
 * exactly the same) / 2. It is the expected rank under random tie-breaking, so it may be
 * fractional; a constant-score model lands in the middle instead of at rank 0 (which "strictly
 * greater only" would give) or last (fully pessimistic). A NaN target score ranks last; NaN scores
 * of other items never beat the target.
 */
import type { RankingMetrics } from '../../contracts/recommender.ts';
import type { Rng } from '../random.ts';

/** Items to leave out of the ranking: a history slice, a Set, or a plain array. */
export type ItemSet = Uint32Array | Set<number> | readonly number[];

// Scratch marks shared across calls (the engine is single-threaded): marks[i] === epoch means
// "item i is blocked in the current call", so excluded lists need no per-call Set.
let marks = new Uint32Array(0);
let epoch = 0;

function nextEpoch(numItems: number): number {
  if (marks.length < numItems + 1) {
    marks = new Uint32Array(numItems + 1);
    epoch = 0;
  }
  if (epoch === 0xffffffff) {
    marks.fill(0);
    epoch = 0;
  }
  return ++epoch;
}

/** Blocks the target and every excluded id in 1..numItems; returns how many distinct ids it blocked. */
function blockItems(numItems: number, target: number, exclude: ItemSet): number {
  const ep = nextEpoch(numItems);
  marks[target] = ep;
  let blocked = 1;
  for (const i of exclude) {
    if (i >= 1 && i <= numItems && marks[i] !== ep) {
      marks[i] = ep;
      blocked++;
    }
  }
  return blocked;
}

function checkRow(scores: Float32Array, rowOffset: number, numItems: number, target: number): void {
  if (!Number.isInteger(target) || target < 1 || target > numItems) {
    throw new RangeError(`target item ${target} is outside 1..${numItems}`);
  }
  if (rowOffset < 0 || rowOffset + numItems >= scores.length) {
    throw new RangeError(`score row at ${rowOffset} with ${numItems + 1} columns exceeds ${scores.length} scores`);
  }
}

/**
 * 0-based rank of `target` among items 1..numItems not in `exclude` (the target is never excluded),
 * reading the row scores[rowOffset .. rowOffset + numItems] (column 0 is padding).
 */
export function rankOfTarget(
  scores: Float32Array,
  rowOffset: number,
  numItems: number,
  target: number,
  exclude: ItemSet,
): number {
  checkRow(scores, rowOffset, numItems, target);
  const t = scores[rowOffset + target];
  let greater = 0;
  let equal = 0;
  // One tight pass over the whole row, then subtract the few excluded items: cheaper than a
  // membership test per item.
  const end = rowOffset + numItems;
  for (let j = rowOffset + 1; j <= end; j++) {
    const s = scores[j];
    if (s > t) greater++;
    else if (s === t) equal++;
  }
  equal--; // the target itself
  const blocked = blockItems(numItems, target, exclude);
  const ep = epoch;
  for (const i of exclude) {
    if (i < 1 || i > numItems || i === target || marks[i] !== ep) continue;
    marks[i] = 0; // count each excluded id once
    const s = scores[rowOffset + i];
    if (s > t) greater--;
    else if (s === t) equal--;
  }
  if (Number.isNaN(t)) return numItems - blocked;
  return greater + equal / 2;
}

/**
 * `count` distinct negatives drawn uniformly without replacement from 1..numItems minus the target
 * and `exclude`; all eligible items (in id order) when there are no more than `count`.
 */
export function sampleNegatives(
  numItems: number,
  target: number,
  exclude: ItemSet,
  rng: Rng,
  count = 100,
): Uint32Array {
  const eligible = numItems - blockItems(numItems, target, exclude);
  const ep = epoch;
  if (eligible < 2 * count || eligible * 2 < numItems) {
    // Few eligible items: list them and take a partial Fisher–Yates prefix.
    const pool = new Uint32Array(eligible);
    for (let i = 1, k = 0; i <= numItems; i++) if (marks[i] !== ep) pool[k++] = i;
    if (eligible <= count) return pool;
    for (let k = 0; k < count; k++) {
      const j = k + rng.int(eligible - k);
      const tmp = pool[k];
      pool[k] = pool[j];
      pool[j] = tmp;
    }
    return pool.slice(0, count);
  }
  // Many eligible items: rejection sampling accepts each draw with probability ≥ 1/4.
  const out = new Uint32Array(count);
  for (let k = 0; k < count; ) {
    const i = 1 + rng.int(numItems);
    if (marks[i] === ep) continue;
    marks[i] = ep;
    out[k++] = i;
  }
  return out;
}

/** Rank of `target` among the given candidate items only, same tie rule. */
export function rankAmong(scores: Float32Array, rowOffset: number, target: number, candidates: Uint32Array): number {
  const t = scores[rowOffset + target];
  if (Number.isNaN(t)) return candidates.length;
  let greater = 0;
  let equal = 0;
  for (let k = 0; k < candidates.length; k++) {
    const s = scores[rowOffset + candidates[k]];
    if (s > t) greater++;
    else if (s === t) equal++;
  }
  return greater + equal / 2;
}

/**
 * Rank of `target` among `count` sampled non-interacted items (the "sampled100" protocol). To
 * compare models on the same negatives, call sampleNegatives once and rankAmong per model.
 */
export function sampledRank(
  scores: Float32Array,
  rowOffset: number,
  numItems: number,
  target: number,
  exclude: ItemSet,
  rng: Rng,
  count = 100,
): number {
  checkRow(scores, rowOffset, numItems, target);
  return rankAmong(scores, rowOffset, target, sampleNegatives(numItems, target, exclude, rng, count));
}

/** HR@k and NDCG@k (one relevant item: NDCG = 1/log2(rank + 2) when rank < k) averaged over users. */
export class MetricAccumulator {
  private readonly ranks: number[] = [];

  add(rank: number): void {
    if (!(rank >= 0)) throw new RangeError(`rank must be ≥ 0, got ${rank}`);
    this.ranks.push(rank);
  }

  get count(): number {
    return this.ranks.length;
  }

  /** Keys in the order HR@k, NDCG@k per k; all zero when nothing was added. */
  result(ks: number[] = [5, 10, 20]): RankingMetrics {
    const n = this.ranks.length;
    const out: RankingMetrics = {};
    for (const k of ks) {
      let hits = 0;
      let gain = 0;
      for (const r of this.ranks) {
        if (r < k) {
          hits++;
          gain += 1 / Math.log2(r + 2);
        }
      }
      out[`HR@${k}`] = n === 0 ? 0 : hits / n;
      out[`NDCG@${k}`] = n === 0 ? 0 : gain / n;
    }
    return out;
  }
}

// ---- Alignment metrics (§7), on titles -------------------------------------------------------

// Quotes, sentence punctuation, dashes and markdown marks an LM wraps around a title; brackets
// stay, so "Heat (1995)" keeps its year intact.
const EDGE_PUNCTUATION = /^[\s\p{Po}\p{Pi}\p{Pf}\p{Pd}`]+|[\s\p{Po}\p{Pi}\p{Pf}\p{Pd}`]+$/gu;

/** Lower-case, NFKC, whitespace collapsed, surrounding quotes/punctuation stripped. */
export function normalizeTitle(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').replace(EDGE_PUNCTUATION, '');
}

/** Task 1: hit if the target is among the first k outputs; NDCG = 1/log2(position + 2) of the first match. */
export function hitRateAndNdcgFromList(predictions: string[], target: string, k = 5): { hr: number; ndcg: number } {
  const t = normalizeTitle(target);
  const n = Math.min(k, predictions.length);
  for (let i = 0; i < n; i++) {
    if (normalizeTitle(predictions[i]) === t) return { hr: 1, ndcg: 1 / Math.log2(i + 2) };
  }
  return { hr: 0, ndcg: 0 };
}

/** Graded relevance of the item the model puts at 0-based position `i`. */
const rankRelevance = (i: number): number => (i < 4 ? 10 ** (3 - i) : 0);

/**
 * Task 2 (as the RecExplainer reference code): the item at model position i has relevance
 * 1000/100/10/1/0; DCG = Σ rel / log2(j + 2) with j its position in the prediction (each
 * prediction slot matches at most one item, so repeating the top title earns it once);
 * IDCG = the model's own order. Relevance enters linearly, not as 2^rel − 1.
 */
export function rankingNdcg(predicted: string[], modelOrder: string[], k = 5): number {
  const preds = predicted.slice(0, k).map(normalizeTitle);
  const used = new Uint8Array(preds.length);
  let dcg = 0;
  let idcg = 0;
  for (let i = 0; i < modelOrder.length; i++) {
    const rel = rankRelevance(i);
    if (i < k) idcg += rel / Math.log2(i + 2);
    const title = normalizeTitle(modelOrder[i]);
    const j = preds.findIndex((p, q) => used[q] === 0 && p === title);
    if (j < 0) continue;
    used[j] = 1;
    dcg += rel / Math.log2(j + 2);
  }
  return idcg === 0 ? 0 : dcg / idcg;
}

/**
 * Task 6: share of the first |history| generated titles found in the true history. Each history
 * entry can be matched once (the reference code counts repeats again; repeating one title should
 * not reach 100%).
 */
export function historyCoverage(generated: string[], history: string[]): number {
  if (history.length === 0) return 0;
  const remaining = new Map<string, number>();
  for (const h of history) {
    const key = normalizeTitle(h);
    remaining.set(key, (remaining.get(key) ?? 0) + 1);
  }
  let found = 0;
  for (const g of generated.slice(0, history.length)) {
    const key = normalizeTitle(g);
    const left = remaining.get(key) ?? 0;
    if (left > 0) {
      remaining.set(key, left - 1);
      found++;
    }
  }
  return found / history.length;
}
