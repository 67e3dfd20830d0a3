/** Opens the project's target recommender, whatever its kind, as a TargetRecommender. */
import { readDataset } from '../data/dataset-store.ts';
import { InputError } from '../errors.ts';
import type { SasrecConfig } from '../models/sasrec.ts';
import { projectThreads } from '../project/project-file.ts';
import { loadExternalRecommender } from './external/index.ts';
import { MfRecommender } from './mf-recommender.ts';
import { SasrecRecommender } from './sasrec-recommender.ts';
import { loadWeights, readRecommenderManifest } from './store.ts';
import type { TargetRecommender } from './types.ts';

export async function loadRecommender(project: string, threads?: number): Promise<TargetRecommender> {
  const manifest = await readRecommenderManifest(project);
  const { manifest: data } = await readDataset(project);
  if (manifest.dataContentHash !== data.contentHash) {
    throw new InputError(
      `${project}: the recommender was made for another version of the dataset (re-imported since?); train or import it again`,
    );
  }
  const session = { threads: await projectThreads(project, threads), providers: ['cpu' as const] };
  switch (manifest.kind) {
    case 'sasrec':
      return SasrecRecommender.create(manifest.details.config as SasrecConfig, await loadWeights(project), session);
    case 'mf':
      return MfRecommender.create(await loadWeights(project));
    default:
      return loadExternalRecommender(project, manifest);
  }
}
