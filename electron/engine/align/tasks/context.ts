/**
 * What every task generator reads: the method, the recommender's exports (the only source of
 * labels) and the dataset's items; plus the per-anchor views the generators share.
 */
import type { ItemRecord } from '../../data/preprocess.ts';
import type { Rng } from '../../random.ts';
import { type AnchorDataset, anchorHistory } from '../../recommender/export/anchors.ts';
import type { AlignmentExports } from '../../recommender/export/read-exports.ts';
import { NO_ITEM, NUM_CANDIDATES } from '../../recommender/export/summary.ts';
import type { AlignExample, Method, TaskId } from '../example.ts';

export type TaskDataset = AnchorDataset & { itemRecords: ItemRecord[] };

export interface TaskContext {
  method: Method;
  exports: AlignmentExports;
  dataset: TaskDataset;
  /** History titles shown and reconstructed (the paper's 9). */
  historyLength: number;
}

export type Split = AlignExample['split'];

/** A task built one anchor at a time. `k` is the example's index in its (shuffled) sample. */
export interface AnchorTask {
  id: TaskId;
  /** Whether the anchor has the labels this task needs. */
  eligible(ctx: TaskContext, row: number): boolean;
  build(ctx: TaskContext, row: number, split: Split, rng: Rng, k: number): AlignExample;
}

export const titleOf = (ctx: TaskContext, item: number): string => ctx.dataset.itemRecords[item - 1].title;

/** The anchor's full history, oldest first. */
export const historyOf = (ctx: TaskContext, row: number): Uint32Array =>
  anchorHistory(ctx.dataset, ctx.exports.user[row], ctx.exports.position[row]);

/** The last ≤ historyLength history items, oldest first. */
export function recentItems(ctx: TaskContext, row: number): number[] {
  const h = historyOf(ctx, row);
  return Array.from(h.subarray(Math.max(0, h.length - ctx.historyLength)));
}

export const top1Of = (ctx: TaskContext, row: number): number | null => {
  const t = ctx.exports.top1[row];
  return t === NO_ITEM ? null : t;
};

/** Candidates in model order (best first), NO_ITEM padding removed. */
export function candidatesOf(ctx: TaskContext, row: number): number[] {
  const c = ctx.exports.candidates.subarray(row * NUM_CANDIDATES, (row + 1) * NUM_CANDIDATES);
  return Array.from(c).filter((i) => i !== NO_ITEM);
}

/** The fields every anchor example shares. */
export function anchorExample(
  ctx: TaskContext,
  task: TaskId,
  row: number,
  split: Split,
): Pick<AlignExample, 'task' | 'method' | 'user' | 'anchor' | 'split'> {
  return { task, method: ctx.method, user: ctx.exports.user[row], anchor: row, split };
}
