/** A complete small project for alignment tests: synthetic data, a small SASRec, its exports, a tiny LM. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { importDataset } from '../../../electron/engine/data/import-dataset.ts';
import { createTinyLm } from '../../../electron/engine/llm/tiny-lm.ts';
import { exportProject } from '../../../electron/engine/recommender/export-project.ts';
import { trainRecommender } from '../../../electron/engine/recommender/train-recommender.ts';

export async function makeAlignProject(): Promise<string> {
  const project = path.join(mkdtempSync(path.join(tmpdir(), 'recx-align-')), 'p');
  await importDataset({ format: 'synthetic', project, synthetic: { users: 60, items: 50 }, seed: 5 });
  await trainRecommender({
    project,
    model: 'sasrec',
    overrides: { hidden: 16, maxLen: 10, batchSize: 32, maxEpochs: 3, threads: 1 },
  });
  await exportProject(project, { seed: 1, maxAnchorsPerUser: 6 });
  await createTinyLm(project, { steps: 30, hidden: 32, layers: 1, seqLen: 32, threads: 1 });
  return project;
}
