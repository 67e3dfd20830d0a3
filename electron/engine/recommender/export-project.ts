/**
 * `recx recommender export`: the alignment labels of the project's recommender (DESIGN.md §6),
 * computed with the frozen model in eval mode (no dropout; the reference implementation leaves
 * dropout on while exporting, which makes its labels noisy).
 */
import { readDataset } from '../data/dataset-store.ts';
import { readProjectFile } from '../project/project-file.ts';
import { type AlignmentExportSummary, exportAlignmentLabels } from './export/index.ts';
import { loadRecommender } from './load-recommender.ts';

export interface ExportProjectOptions {
  seed?: number;
  maxAnchorsPerUser?: number;
  /** Scoring threads (default all cores); 1 gives scores, and so labels, that never vary between runs. */
  threads?: number;
}

export async function exportProject(
  project: string,
  opts: ExportProjectOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<AlignmentExportSummary> {
  const { manifest, dataset } = await readDataset(project);
  const seed = opts.seed ?? (await readProjectFile(project))?.seed ?? 42;
  const recommender = await loadRecommender(project, opts.threads);
  try {
    return await exportAlignmentLabels({
      projectDir: project,
      dataset,
      dataContentHash: manifest.contentHash,
      recommender,
      seed,
      maxAnchorsPerUser: opts.maxAnchorsPerUser ?? null,
      onProgress: (d, t) => onProgress?.(d, t),
    });
  } finally {
    await recommender.release();
  }
}
