/**
 * The explanation explorer's reads over a project (DESIGN.md §1.4): users with their test-anchor
 * history, the recommender's top-k for a user, and leave-one-out attribution of an item's score.
 * Everything is at the user's test anchor: the history the recommender sees when predicting the
 * held-out test item (training + validation items, oldest first), as in the alignment exports.
 * Loaded datasets and recommenders stay in a small LRU (project-cache.ts).
 */
import type { Attribution, ItemView, UserDetail, UserRow } from '../../contracts/api.ts';
import { leaveOneOutDrops } from '../align/tasks/rationale.ts';
import type { ProcessedDataset } from '../data/preprocess.ts';
import { InputError } from '../errors.ts';
import type { TargetRecommender } from '../recommender/types.ts';
import {
  checkItem,
  type DatasetView,
  hasTestAnchor,
  testHistory,
  withDataset,
  withRecommender,
} from './project-cache.ts';
import { historyMask, rankOf, topItems } from './ranking.ts';

export { releaseExplorer } from './project-cache.ts';

/** History titles shown per user row. */
const RECENT_TITLES = 3;
/**
 * Leave-one-out attribution removes each of at most this many most recent history items: every
 * removal is one more scored request, and long histories (hundreds of ratings on MovieLens) would
 * make one click cost hundreds of forward passes. SASRec reads at most its maxLen items anyway.
 */
export const MAX_ATTRIBUTED_HISTORY = 20;

export function itemView(ds: ProcessedDataset, item: number): ItemView {
  const r = ds.itemRecords[item - 1];
  return { item, title: r.title, attributes: r.attributes };
}

export interface ListUsersOptions {
  /** A user id (exact) or a substring of any history title; case-insensitive. */
  query?: string;
  offset: number;
  limit: number;
}

/** Users with a test anchor, in id order, filtered by `query`; `total` counts all matches. */
export async function listUsers(
  project: string,
  { query, offset, limit }: ListUsersOptions,
): Promise<{ total: number; users: UserRow[] }> {
  return withDataset(project, (d) => matchingUsers(d, query?.trim().toLowerCase() ?? '', offset, limit));
}

function matchingUsers(d: DatasetView, q: string, offset: number, limit: number) {
  const ds = d.dataset;
  const byId = /^\d+$/.test(q) ? Number(q) : null;
  // One pass over the titles, then a flag lookup per history item.
  let matches: Uint8Array | null = null;
  if (q !== '') {
    matches = new Uint8Array(ds.numItems + 1);
    d.titlesLower.forEach((t, k) => {
      if (t.includes(q)) matches![k + 1] = 1;
    });
  }
  const users: UserRow[] = [];
  let total = 0;
  for (let u = 1; u <= ds.numUsers; u++) {
    if (!hasTestAnchor(ds, u)) continue;
    const history = testHistory(ds, u);
    if (matches && u !== byId && !history.some((i) => matches[i] === 1)) continue;
    if (total >= offset && users.length < limit) {
      const recent = Array.from(history.subarray(Math.max(0, history.length - RECENT_TITLES)));
      users.push({ user: u, historyLength: history.length, recent: recent.map((i) => ds.itemRecords[i - 1].title) });
    }
    total++;
  }
  return { total, users };
}

async function scoreRow(rec: TargetRecommender, user: number, history: Uint32Array): Promise<Float32Array> {
  const scores = await rec.scoreAll([{ user, history }]);
  if (scores.length !== rec.numItems + 1) {
    throw new Error(`recommender scoreAll returned ${scores.length} values; expected ${rec.numItems + 1}`);
  }
  return scores;
}

/**
 * The user's test-anchor history and the recommender's top-k non-history items. A list-only
 * recommender (canScore false) has no scores: its list is filtered the same way, and each entry
 * gets the reciprocal of its rank as a score (1, 1/2, 1/3, …) so that bars still order correctly.
 */
export async function userDetail(project: string, user: number, k: number): Promise<UserDetail> {
  if (!Number.isInteger(k) || k < 1) throw new InputError(`k must be a positive integer, got ${k}`);
  return withRecommender(project, async (rec, { dataset: ds }) => {
    const history = testHistory(ds, user);
    const mask = historyMask(ds.numItems, history);
    let top: { item: number; score: number }[];
    if (rec.canScore) {
      const scores = await scoreRow(rec, user, history);
      top = topItems(scores, mask, k).map((item) => ({ item, score: scores[item] }));
    } else {
      if (!rec.recommendationList) throw new InputError(`the ${rec.kind} recommender gives neither scores nor lists`);
      const seen = new Set<number>();
      const listed = Array.from(rec.recommendationList(user)).filter((i) => {
        const keep = i >= 1 && i <= ds.numItems && !mask[i] && !seen.has(i);
        seen.add(i);
        return keep;
      });
      top = listed.slice(0, k).map((item, r) => ({ item, score: 1 / (r + 1) }));
    }
    return {
      user,
      history: Array.from(history, (i) => itemView(ds, i)),
      topK: top.map(({ item, score }, r) => ({ ...itemView(ds, item), score, rank: r + 1 })),
    };
  });
}

/**
 * `item`'s score and rank for the user at the test anchor, and how much removing each history
 * item lowers that score (leave-one-out; the last MAX_ATTRIBUTED_HISTORY items), in history order.
 */
export async function attribution(project: string, user: number, item: number): Promise<Attribution> {
  return withRecommender(project, async (rec, { dataset: ds }) => {
    const history = testHistory(ds, user);
    checkItem(ds, item);
    if (!rec.canScore) {
      throw new InputError(
        `the ${rec.kind} recommender only gives recommendation lists: it has no scores to attribute`,
      );
    }
    const scores = await scoreRow(rec, user, history);
    // A one-item history cannot lose its item: the recommender is never asked about an empty history.
    const last = history.length >= 2 ? Math.min(MAX_ATTRIBUTED_HISTORY, history.length) : 0;
    const [drops] = await leaveOneOutDrops(rec, [{ user, history, target: item, last }]);
    const from = history.length - last;
    return {
      user,
      item,
      score: scores[item],
      rank: rankOf(scores, historyMask(ds.numItems, history), item),
      contributions: Array.from(drops, (drop, j) => {
        const h = history[from + j];
        return { item: h, title: ds.itemRecords[h - 1].title, drop };
      }),
    };
  });
}
