/** `recx data inspect`: the stored dataset's counts, length statistics, popular items and split sizes. */
import type { DatasetInspection } from '../../contracts/dataset.ts';
import { popularItems } from './dataset-stats.ts';
import { readDataset } from './dataset-store.ts';

export async function inspectDataset(projectDir: string, topN = 10): Promise<DatasetInspection> {
  const { manifest, dataset } = await readDataset(projectDir);
  const { scheme: _scheme, ...split } = manifest.split;
  return {
    project: projectDir,
    format: manifest.format,
    ...manifest.counts,
    sequenceLength: manifest.sequenceLength,
    split,
    popularItems: popularItems(dataset, topN),
    warnings: manifest.warnings,
  };
}
