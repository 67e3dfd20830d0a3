/** Re-keys the synthetic ground truth from source ids to the dataset's final (1-based) ids. */

import type { ProcessedDataset } from './preprocess.ts';
import type { SyntheticGroundTruth } from './raw-dataset.ts';

export interface StoredGroundTruth {
  categories: string[];
  /** By user id (1-based), as strings in JSON. */
  userInterests: Record<number, { initial: string[]; drifted: string[] }>;
  /** By item id (1-based). */
  itemCategories: Record<number, string[]>;
}

export function remapGroundTruth(gt: SyntheticGroundTruth, ds: ProcessedDataset): StoredGroundTruth {
  const userInterests: StoredGroundTruth['userInterests'] = {};
  ds.userSourceIds.forEach((s, k) => {
    const v = gt.userInterests[s];
    if (v) userInterests[k + 1] = v;
  });
  const itemCategories: StoredGroundTruth['itemCategories'] = {};
  for (const r of ds.itemRecords) {
    const v = gt.itemCategories[r.sourceId];
    if (v) itemCategories[r.id] = v;
  }
  return { categories: gt.categories, userInterests, itemCategories };
}
