/**
 * sim_item: for every item i, the other item j (j ≠ i, j ≠ 0) with the largest dot product of
 * item-table rows, ties by lower id. The dot products go through ItemScorer (one ORT matmul per
 * batch of query items), so the O(numItems² · dim) work runs in native code; memory is one
 * [batch, numItems + 1] score block at a time.
 */
import type { SessionSettings } from '../../graph/session.ts';
import { ItemScorer } from '../item-scorer.ts';
import { ranksBefore } from './rank-select.ts';
import { NO_ITEM } from './summary.ts';

export interface ItemSimilarity {
  /** [numItems + 1]; entry 0 (padding) is NO_ITEM. */
  simItem: Int32Array;
  /** [numItems + 1]; NaN where simItem is NO_ITEM. */
  simScore: Float32Array;
}

export async function mostSimilarItems(
  table: Float32Array,
  dim: number,
  numItems: number,
  opts: { batchSize: number; settings?: SessionSettings; onBatch?: (done: number) => void },
): Promise<ItemSimilarity> {
  if (table.length !== (numItems + 1) * dim) {
    throw new Error(`item table has ${table.length} values; expected (${numItems} + 1) × ${dim}`);
  }
  const simItem = new Int32Array(numItems + 1).fill(NO_ITEM);
  const simScore = new Float32Array(numItems + 1).fill(Number.NaN);
  if (numItems < 2) return { simItem, simScore };
  const scorer = await ItemScorer.create(table, dim, opts.settings);
  try {
    for (let start = 1; start <= numItems; start += opts.batchSize) {
      const end = Math.min(numItems + 1, start + opts.batchSize);
      const dots = await scorer.score(table.subarray(start * dim, end * dim)); // [end − start, numItems + 1]
      for (let i = start; i < end; i++) {
        const row = dots.subarray((i - start) * (numItems + 1), (i - start + 1) * (numItems + 1));
        let best = NO_ITEM;
        for (let j = 1; j <= numItems; j++) {
          if (j === i) continue;
          if (Number.isNaN(row[j])) throw new Error(`item table gives a NaN dot product for items ${i} and ${j}`);
          if (best === NO_ITEM || ranksBefore(row, j, best)) best = j;
        }
        simItem[i] = best;
        simScore[i] = row[best];
      }
      opts.onBatch?.(end - 1);
    }
  } finally {
    await scorer.release();
  }
  return { simItem, simScore };
}
