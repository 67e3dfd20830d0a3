/**
 * Task 7, rationale (ours): "why this item?" → a templated explanation built from the recommender
 * itself. For the anchor's top-1 item, each of the last ≤ 9 history items is removed in turn and
 * the item rescored (recommender.scoreAll, all anchors' requests batched together); the drop from
 * the full-history score is that history item's contribution. The explanation cites the (at most
 * two) items with the largest positive drop — ties go to the more recent item — and the themes
 * (genres/categories) and brand they share with the explained item. When no item has a positive
 * drop, nothing is cited. Anchors need ≥ 2 history items, so no request has an empty history.
 */
import type { Rng } from '../../random.ts';
import type { HistoryRequest, TargetRecommender } from '../../recommender/types.ts';
import type { AlignExample } from '../example.ts';
import {
  fillAnswer,
  itemPhrase,
  RATIONALE_ANSWERS,
  RATIONALE_FRAMES,
  RATIONALE_UNCITED_ANSWER,
  renderFrame,
  userPhrase,
} from '../templates.ts';
import { anchorExample, historyOf, type Split, type TaskContext, titleOf, top1Of } from './context.ts';

export const DEFAULT_SCORE_BATCH = 256;
const MAX_CITED = 2;
const THEME_KEYS = ['genres', 'category', 'categories'];

export interface LeaveOneOutQuery {
  user: number;
  /** Full history, oldest first. */
  history: Uint32Array;
  target: number;
  /** How many of the most recent history items to remove in turn. */
  last: number;
}

/**
 * For each query: drops[j] = score(target | history) − score(target | history without its
 * (len − last + j)-th item), j over the last `last` items (oldest first). One scoreAll call per
 * `batchSize` requests, across queries.
 */
export async function leaveOneOutDrops(
  recommender: TargetRecommender,
  queries: readonly LeaveOneOutQuery[],
  batchSize = DEFAULT_SCORE_BATCH,
): Promise<Float64Array[]> {
  const stride = recommender.numItems + 1;
  const plan: { q: number; j: number; req: HistoryRequest }[] = [];
  for (const [q, { user, history, last }] of queries.entries()) {
    plan.push({ q, j: -1, req: { user, history } });
    const from = history.length - last;
    for (let j = 0; j < last; j++) {
      const h = new Uint32Array(history.length - 1);
      h.set(history.subarray(0, from + j));
      h.set(history.subarray(from + j + 1), from + j);
      plan.push({ q, j, req: { user, history: h } });
    }
  }
  const base = new Float64Array(queries.length);
  const drops = queries.map((q) => new Float64Array(q.last));
  for (let b = 0; b < plan.length; b += batchSize) {
    const chunk = plan.slice(b, b + batchSize);
    const scores = await recommender.scoreAll(chunk.map((p) => p.req));
    if (scores.length !== chunk.length * stride) {
      throw new Error(`recommender scoreAll returned ${scores.length} values; expected ${chunk.length * stride}`);
    }
    chunk.forEach(({ q, j }, r) => {
      const s = scores[r * stride + queries[q].target];
      if (j < 0) base[q] = s;
      else drops[q][j] = s; // the base row precedes its removals in the plan
    });
  }
  for (let q = 0; q < queries.length; q++)
    for (let j = 0; j < drops[q].length; j++) drops[q][j] = base[q] - drops[q][j];
  return drops;
}

/** Indices (into drops) of the cited items: largest positive drop first, ties to the later item. */
export function citedIndices(drops: Float64Array, max = MAX_CITED): number[] {
  const order = Array.from(drops.keys())
    .filter((j) => drops[j] > 0)
    .sort((a, b) => drops[b] - drops[a] || b - a);
  return order.slice(0, max);
}

function themesOf(attributes: Record<string, unknown>): string[] {
  for (const k of THEME_KEYS) {
    const v = attributes[k];
    if (Array.isArray(v)) return v.map(String);
    if (typeof v === 'string' && v !== '') return [v];
  }
  return [];
}

const listPhrase = (xs: readonly string[]) =>
  xs.length <= 1 ? (xs[0] ?? '') : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`;

/** The shared themes and brand, and the clause that names them (", which share its Sci-Fi theme"). */
export function sharedAttributes(
  ctx: TaskContext,
  item: number,
  cited: readonly number[],
): { values: string[]; clause: string } {
  const record = (i: number) => ctx.dataset.itemRecords[i - 1].attributes;
  const citedThemes = new Set(cited.flatMap((i) => themesOf(record(i))));
  const themes = themesOf(record(item)).filter((t) => citedThemes.has(t));
  const brand = record(item).brand;
  const sharedBrand = typeof brand === 'string' && brand !== '' && cited.some((i) => record(i).brand === brand);
  const parts: string[] = [];
  if (themes.length > 0) parts.push(`its ${listPhrase(themes)} theme${themes.length > 1 ? 's' : ''}`);
  if (sharedBrand) parts.push(`its brand ${brand}`);
  if (parts.length === 0 || cited.length === 0) return { values: [], clause: '' };
  const verb = cited.length === 1 ? 'shares' : 'share';
  return {
    values: [...themes, ...(sharedBrand ? [brand as string] : [])],
    clause: `, which ${verb} ${parts.join(' and ')}`,
  };
}

export function rationaleEligible(ctx: TaskContext, row: number): boolean {
  return top1Of(ctx, row) !== null && ctx.exports.position[row] >= 2;
}

export async function buildRationaleExamples(
  ctx: TaskContext,
  rows: readonly { row: number; split: Split }[],
  recommender: TargetRecommender,
  rng: Rng,
  batchSize = DEFAULT_SCORE_BATCH,
): Promise<AlignExample[]> {
  const queries = rows.map(({ row }) => {
    const history = historyOf(ctx, row);
    return {
      user: ctx.exports.user[row],
      history,
      target: top1Of(ctx, row)!,
      last: Math.min(ctx.historyLength, history.length),
    };
  });
  const drops = await leaveOneOutDrops(recommender, queries, batchSize);
  return rows.map(({ row, split }, k) => {
    const { history, target, last } = queries[k];
    const historyItems = Array.from(history.subarray(history.length - last));
    const historyTitles = historyItems.map((i) => titleOf(ctx, i));
    const cited = citedIndices(drops[k]).map((j) => historyItems[j]);
    const shared = sharedAttributes(ctx, target, cited);
    const title = titleOf(ctx, target);
    const template = rng.int(RATIONALE_FRAMES.length);
    const segments = renderFrame(RATIONALE_FRAMES[template], {
      user: userPhrase(ctx.method, row, historyTitles, rng),
      item: itemPhrase(ctx.method, target, title, rng),
    });
    const answerTemplate =
      cited.length === 0 ? RATIONALE_UNCITED_ANSWER : RATIONALE_ANSWERS[rng.int(RATIONALE_ANSWERS.length)];
    const answer = fillAnswer(answerTemplate, {
      item: title,
      cited: listPhrase(cited.map((i) => titleOf(ctx, i))),
      shared: shared.clause,
    });
    return {
      ...anchorExample(ctx, 7, row, split),
      segments,
      answer,
      meta: {
        template,
        top1: target,
        top1Title: title,
        historyItems,
        historyTitles,
        cited,
        drops: citedIndices(drops[k]).map((j) => drops[k][j]),
        sharedAttributes: shared.values,
      },
    };
  });
}
