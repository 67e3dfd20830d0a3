/** `recx recommender eval`: the full evaluation report of the project's recommender. */
import type { EvaluationReport } from '../../contracts/recommender.ts';
import { readDataset } from '../data/dataset-store.ts';
import { InputError } from '../errors.ts';
import { evaluateScores, type Split } from './evaluate.ts';
import { loadRecommender } from './load-recommender.ts';

export async function evaluateProject(
  project: string,
  split: Split,
  onProgress?: (done: number, total: number) => void,
): Promise<EvaluationReport> {
  const { dataset } = await readDataset(project);
  const rec = await loadRecommender(project);
  try {
    if (!rec.canScore) {
      throw new InputError('this recommender only provides recommendation lists: it cannot rank held-out items');
    }
    return await evaluateScores((reqs) => rec.scoreAll(reqs), dataset, split, { seed: 42, full: true, onProgress });
  } finally {
    await rec.release();
  }
}
