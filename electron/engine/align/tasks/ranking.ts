/**
 * Task 2, ranking: the anchor's 5 candidates shown in a seeded shuffled order → their titles in
 * the recommender's order (best first) joined by "; ". Anchors with fewer than 5 candidates are
 * not used, so every prompt ranks the same number of items.
 */
import type { Rng } from '../../random.ts';
import { NUM_CANDIDATES } from '../../recommender/export/summary.ts';
import { type AlignExample, HISTORY_SEPARATOR } from '../example.ts';
import { candidateList, RANKING_FRAMES, renderFrame, userPhrase } from '../templates.ts';
import {
  type AnchorTask,
  anchorExample,
  candidatesOf,
  recentItems,
  type Split,
  type TaskContext,
  titleOf,
} from './context.ts';

export const rankingTask: AnchorTask = {
  id: 2,
  eligible: (ctx, row) => candidatesOf(ctx, row).length === NUM_CANDIDATES,
  build(ctx: TaskContext, row: number, split: Split, rng: Rng): AlignExample {
    const modelOrder = candidatesOf(ctx, row);
    const shown = rng.shuffle([...modelOrder]);
    const historyItems = recentItems(ctx, row);
    const historyTitles = historyItems.map((i) => titleOf(ctx, i));
    const template = rng.int(RANKING_FRAMES.length);
    const segments = renderFrame(RANKING_FRAMES[template], {
      user: userPhrase(ctx.method, row, historyTitles, rng),
      candidates: candidateList(
        ctx.method,
        shown,
        shown.map((i) => titleOf(ctx, i)),
      ),
    });
    const modelOrderTitles = modelOrder.map((i) => titleOf(ctx, i));
    return {
      ...anchorExample(ctx, 2, row, split),
      segments,
      answer: modelOrderTitles.join(HISTORY_SEPARATOR),
      meta: { template, shown, modelOrder, modelOrderTitles, historyItems, historyTitles },
    };
  },
};
