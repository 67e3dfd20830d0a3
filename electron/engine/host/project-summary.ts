/** What the UI needs to know about a project folder: which stages exist (ProjectSummary of the contracts). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectSummary } from '../../contracts/api.ts';
import { datasetManifestSchema } from '../../contracts/dataset.ts';
import { listRuns } from '../align/runs.ts';
import { DATA_DIR, DATASET_FILES } from '../data/dataset-store.ts';
import { InputError } from '../errors.ts';
import { exists } from '../project/atomic-io.ts';
import { readProjectFile } from '../project/project-file.ts';
import { EXPORT_FILES, exportsDir } from '../recommender/export/summary.ts';
import { EVAL_FILE, readRecommenderManifest, recommenderDir } from '../recommender/store.ts';

export async function projectSummary(dir: string): Promise<ProjectSummary> {
  const file = await readProjectFile(dir);
  if (!file) throw new InputError(`${dir} is not a project folder (no project.json); create a project there first`);
  const manifestText = await readFile(path.join(dir, DATA_DIR, DATASET_FILES.manifest), 'utf8').catch(() => null);
  const manifest = manifestText ? datasetManifestSchema.parse(JSON.parse(manifestText)) : null;
  const recommender = await readRecommenderManifest(dir).catch(() => null);
  return {
    dir,
    name: file.name,
    seed: file.seed,
    reproducible: file.threads === 1,
    dataset: manifest && {
      format: manifest.format,
      users: manifest.counts.users,
      items: manifest.counts.items,
      interactions: manifest.counts.interactions,
      hasGroundTruth: manifest.hasGroundTruth,
    },
    recommender: recommender && {
      kind: recommender.kind,
      dim: recommender.dim,
      evaluated: await exists(path.join(recommenderDir(dir), EVAL_FILE)),
    },
    exports: await exists(path.join(exportsDir(dir), EXPORT_FILES.summary)),
    llm: file.llm ?? null,
    runs: (await listRuns(dir)).length,
  };
}
