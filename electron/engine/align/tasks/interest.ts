/**
 * Task 3, interest classification: the user and one item → "Yes" when the item is the anchor's
 * pos label (ranked in the recommender's top fifth), "No" when it is the neg label (bottom half).
 * Only anchors with both labels are used, and the k-th example of a sample asks about pos when k
 * is even, so a sample is balanced to within one example whatever anchors it drew.
 */
import type { Rng } from '../../random.ts';
import { NO_ITEM } from '../../recommender/export/summary.ts';
import type { AlignExample } from '../example.ts';
import { INTEREST_FRAMES, itemPhrase, renderFrame, userPhrase } from '../templates.ts';
import { type AnchorTask, anchorExample, recentItems, type Split, type TaskContext, titleOf } from './context.ts';

export const interestTask: AnchorTask = {
  id: 3,
  eligible: (ctx, row) => ctx.exports.pos[row] !== NO_ITEM && ctx.exports.neg[row] !== NO_ITEM,
  build(ctx: TaskContext, row: number, split: Split, rng: Rng, k: number): AlignExample {
    const label = k % 2 === 0 ? 'Yes' : 'No';
    const item = label === 'Yes' ? ctx.exports.pos[row] : ctx.exports.neg[row];
    const historyItems = recentItems(ctx, row);
    const historyTitles = historyItems.map((i) => titleOf(ctx, i));
    const template = rng.int(INTEREST_FRAMES.length);
    const segments = renderFrame(INTEREST_FRAMES[template], {
      user: userPhrase(ctx.method, row, historyTitles, rng),
      item: itemPhrase(ctx.method, item, titleOf(ctx, item), rng),
    });
    return {
      ...anchorExample(ctx, 3, row, split),
      segments,
      answer: label,
      meta: { template, item, label, historyItems, historyTitles },
    };
  },
};
