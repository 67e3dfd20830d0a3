/**
 * Counterfactual faithfulness of an explanation (DESIGN.md §7): remove the history items it cites
 * and measure how far the recommender's score and rank of the explained item fall, next to removing
 * as many random history items (seeded, averaged over draws). Also citation validity: the share of
 * cited titles that are in the history. A faithful explanation cites items whose removal hurts the
 * item more than random removals do.
 *
 * Ranks are always among the items outside the *full* history, so the candidate set is the same
 * before and after a removal. A removal that would leave the history empty is not scored (null):
 * not every recommender can encode an empty history.
 */

import { InputError } from '../errors.ts';
import { readProjectFile } from '../project/project-file.ts';
import { Rng } from '../random.ts';
import { normalizeTitle } from '../recommender/metrics.ts';
import type { HistoryRequest, TargetRecommender } from '../recommender/types.ts';
import { checkItem, testHistory, withRecommender } from './project-cache.ts';
import { historyMask, rankOf } from './ranking.ts';

export const RANDOM_DRAWS = 5;

export interface RemovalEffect {
  /** History items removed (for random removals: averaged quantities over the draws). */
  removed: number;
  score: number;
  /** score(item | history) − score(item | history without the removed items). */
  drop: number;
  rank: number;
  /** rank after − rank before: positive when the item fell. */
  rankChange: number;
}

export interface FaithfulnessReport {
  user: number;
  item: number;
  /** Each cited title and the history item it names (null: not in the history). */
  citations: { title: string; item: number | null }[];
  /** Share of cited titles found in the history; null when nothing is cited. */
  citationValidity: number | null;
  score: number;
  rank: number;
  /** Removing the cited history items; null when none is valid or they are the whole history. */
  cited: RemovalEffect | null;
  /** Removing as many random history items, averaged over `draws`; null as for `cited`. */
  random: (RemovalEffect & { draws: number }) | null;
}

export interface FaithfulnessInput {
  user: number;
  /** The history at the anchor, oldest first. */
  history: Uint32Array;
  item: number;
  citedTitles: readonly string[];
  titleOf: (item: number) => string;
  seed: number;
  draws?: number;
}

const withoutPositions = (history: Uint32Array, drop: Set<number>) => history.filter((_, k) => !drop.has(k));

/** The report for one (user, item, citations) against `recommender` (one scoreAll call). */
export async function faithfulnessOf(rec: TargetRecommender, input: FaithfulnessInput): Promise<FaithfulnessReport> {
  if (!rec.canScore) {
    throw new InputError(`the ${rec.kind} recommender only gives recommendation lists: faithfulness needs scores`);
  }
  const { user, history, item } = input;
  const draws = input.draws ?? RANDOM_DRAWS;
  const byTitle = new Map<string, number>();
  for (const h of history) {
    const key = normalizeTitle(input.titleOf(h));
    if (!byTitle.has(key)) byTitle.set(key, h);
  }
  const citations = input.citedTitles.map((title) => ({ title, item: byTitle.get(normalizeTitle(title)) ?? null }));
  const citedItems = new Set(citations.flatMap((c) => (c.item === null ? [] : [c.item])));
  const citedPositions = new Set([...history.keys()].filter((k) => citedItems.has(history[k])));
  const m = citedPositions.size;
  const removable = m > 0 && m < history.length;

  const reqs: HistoryRequest[] = [{ user, history }];
  if (removable) {
    reqs.push({ user, history: withoutPositions(history, citedPositions) });
    const rng = new Rng(input.seed).fork(`faithfulness/${user}/${item}`);
    for (let d = 0; d < draws; d++) {
      const order = rng.shuffle(Array.from(history.keys()));
      reqs.push({ user, history: withoutPositions(history, new Set(order.slice(0, m))) });
    }
  }
  const stride = rec.numItems + 1;
  const scores = await rec.scoreAll(reqs);
  if (scores.length !== reqs.length * stride) {
    throw new Error(`recommender scoreAll returned ${scores.length} values; expected ${reqs.length * stride}`);
  }
  const mask = historyMask(rec.numItems, history);
  const row = (r: number) => scores.subarray(r * stride, (r + 1) * stride);
  const score = row(0)[item];
  const rank = rankOf(row(0), mask, item);
  const effect = (r: number): RemovalEffect => {
    const s = row(r)[item];
    const rk = rankOf(row(r), mask, item);
    return { removed: m, score: s, drop: score - s, rank: rk, rankChange: rk - rank };
  };
  let random: FaithfulnessReport['random'] = null;
  if (removable) {
    const effects = Array.from({ length: draws }, (_, d) => effect(2 + d));
    const mean = (f: (e: RemovalEffect) => number) => effects.reduce((a, e) => a + f(e), 0) / draws;
    random = {
      removed: m,
      score: mean((e) => e.score),
      drop: mean((e) => e.drop),
      rank: mean((e) => e.rank),
      rankChange: mean((e) => e.rankChange),
      draws,
    };
  }
  const valid = citations.filter((c) => c.item !== null).length;
  return {
    user,
    item,
    citations,
    citationValidity: citations.length === 0 ? null : valid / citations.length,
    score,
    rank,
    cited: removable ? effect(1) : null,
    random,
  };
}

/** Faithfulness at the user's test anchor in `project`; random draws seeded by the project's seed. */
export async function faithfulness(
  project: string,
  user: number,
  item: number,
  citedTitles: string[],
  opts: { seed?: number; draws?: number } = {},
): Promise<FaithfulnessReport> {
  const seed = opts.seed ?? (await readProjectFile(project))?.seed ?? 42;
  return withRecommender(project, (rec, { dataset: ds }) => {
    const history = testHistory(ds, user);
    checkItem(ds, item);
    const titleOf = (i: number) => ds.itemRecords[i - 1].title;
    return faithfulnessOf(rec, { user, history, item, citedTitles, titleOf, seed, draws: opts.draws });
  });
}

const WORD_CHAR = /[\p{L}\p{N}]/u;

/**
 * The history titles an explanation mentions, in history order: normalised (normalizeTitle)
 * substring matches that stand as whole words. A title found only inside a longer mentioned title
 * ("Heat" inside "Heat Wave") does not count on its own.
 */
export function citedHistoryTitles(text: string, historyTitles: readonly string[]): string[] {
  const hay = normalizeTitle(text);
  const distinct = new Map<string, string>(); // normalised → first title with it
  for (const t of historyTitles) {
    const key = normalizeTitle(t);
    if (key !== '' && !distinct.has(key)) distinct.set(key, t);
  }
  const covered = new Uint8Array(hay.length);
  const found = new Set<string>();
  for (const key of [...distinct.keys()].sort((a, b) => b.length - a.length)) {
    for (let at = hay.indexOf(key); at >= 0; at = hay.indexOf(key, at + 1)) {
      const end = at + key.length;
      const bounded = !WORD_CHAR.test(hay[at - 1] ?? '') && !WORD_CHAR.test(hay[end] ?? '');
      if (!bounded || covered.subarray(at, end).every((c) => c === 1)) continue;
      covered.fill(1, at, end);
      found.add(key);
    }
  }
  return [...distinct].filter(([key]) => found.has(key)).map(([, title]) => title);
}
