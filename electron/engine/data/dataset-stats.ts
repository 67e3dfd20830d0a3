/** Summary figures of a processed dataset: counts, sequence-length distribution, popular items. */
import type { DatasetCounts } from '../../contracts/dataset.ts';
import type { ProcessedDataset } from './preprocess.ts';

export function datasetCounts(ds: Pick<ProcessedDataset, 'numUsers' | 'numItems' | 'items'>): DatasetCounts {
  const interactions = ds.items.length;
  const cells = ds.numUsers * ds.numItems;
  return {
    users: ds.numUsers,
    items: ds.numItems,
    interactions,
    sparsity: cells === 0 ? 1 : 1 - interactions / cells,
  };
}

export function sequenceLengthStats(offsets: Uint32Array) {
  const n = offsets.length - 1;
  if (n <= 0) return { min: 0, max: 0, mean: 0, median: 0, p90: 0 };
  const lengths = new Float64Array(n);
  for (let u = 0; u < n; u++) lengths[u] = offsets[u + 1] - offsets[u];
  lengths.sort();
  const quantile = (q: number) => lengths[Math.min(n - 1, Math.floor(q * n))];
  const median = n % 2 === 1 ? lengths[(n - 1) / 2] : (lengths[n / 2 - 1] + lengths[n / 2]) / 2;
  return { min: lengths[0], max: lengths[n - 1], mean: (offsets[n] - offsets[0]) / n, median, p90: quantile(0.9) };
}

/** The `n` most interacted items (ties: lower id first). */
export function popularItems(
  ds: Pick<ProcessedDataset, 'numItems' | 'items' | 'itemRecords'>,
  n: number,
): { id: number; title: string; count: number }[] {
  const counts = new Uint32Array(ds.numItems + 1);
  for (const i of ds.items) counts[i]++;
  const ids = Array.from({ length: ds.numItems }, (_, k) => k + 1).sort((a, b) => counts[b] - counts[a] || a - b);
  return ids.slice(0, n).map((id) => ({ id, title: ds.itemRecords[id - 1].title, count: counts[id] }));
}
