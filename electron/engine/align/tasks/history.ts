/**
 * Task 6, history reconstruction (I and H only): `<user>` → the last ≤ 9 history titles, oldest
 * first, joined by "; ". H shows `<user>` without the titles too: with them the answer would be a
 * copy of the prompt, and the task exists to teach reading the user vector.
 */
import type { Rng } from '../../random.ts';
import { type AlignExample, HISTORY_SEPARATOR } from '../example.ts';
import { HISTORY_FRAMES, renderFrame, userPhrase } from '../templates.ts';
import { type AnchorTask, anchorExample, recentItems, type Split, type TaskContext, titleOf } from './context.ts';

export const historyTask: AnchorTask = {
  id: 6,
  eligible: (ctx, row) => ctx.method !== 'B' && ctx.exports.position[row] >= 1,
  build(ctx: TaskContext, row: number, split: Split, rng: Rng): AlignExample {
    const historyItems = recentItems(ctx, row);
    const historyTitles = historyItems.map((i) => titleOf(ctx, i));
    const template = rng.int(HISTORY_FRAMES.length);
    const segments = renderFrame(HISTORY_FRAMES[template], {
      user: userPhrase(ctx.method, row, [], rng, true),
    });
    return {
      ...anchorExample(ctx, 6, row, split),
      segments,
      answer: historyTitles.join(HISTORY_SEPARATOR),
      meta: { template, historyItems, historyTitles },
    };
  },
};
