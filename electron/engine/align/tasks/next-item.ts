/**
 * Task 1, next-item retrieval: the user (as the method shows it) → the recommender's top-1 item's
 * title. The answer is the model's choice, not the item the user actually took next.
 */
import type { Rng } from '../../random.ts';
import type { AlignExample } from '../example.ts';
import { NEXT_ITEM_FRAMES, renderFrame, userPhrase } from '../templates.ts';
import {
  type AnchorTask,
  anchorExample,
  recentItems,
  type Split,
  type TaskContext,
  titleOf,
  top1Of,
} from './context.ts';

export const nextItemTask: AnchorTask = {
  id: 1,
  eligible: (ctx, row) => top1Of(ctx, row) !== null,
  build(ctx: TaskContext, row: number, split: Split, rng: Rng): AlignExample {
    const top1 = top1Of(ctx, row)!;
    const historyItems = recentItems(ctx, row);
    const historyTitles = historyItems.map((i) => titleOf(ctx, i));
    const template = rng.int(NEXT_ITEM_FRAMES.length);
    const segments = renderFrame(NEXT_ITEM_FRAMES[template], {
      user: userPhrase(ctx.method, row, historyTitles, rng),
    });
    const answer = titleOf(ctx, top1);
    return {
      ...anchorExample(ctx, 1, row, split),
      segments,
      answer,
      meta: { template, top1, top1Title: answer, historyItems, historyTitles },
    };
  },
};
