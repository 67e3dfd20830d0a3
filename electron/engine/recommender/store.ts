/**
 * The project's target recommender on disk (`<project>/recommender/`):
 *   model.json          manifest (contracts/recommender.ts); details hold the kind's settings
 *   weights.safetensors trained weights (sasrec, mf)
 *   train/              checkpoints and best-so-far weights while training
 *   eval.json           the last evaluation report
 *   exports/            alignment exports
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type RecommenderManifest, recommenderManifestSchema } from '../../contracts/recommender.ts';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { loadSafetensors, saveSafetensors } from '../graph/safetensors.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';

export const RECOMMENDER_DIR = 'recommender';
export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.safetensors';
export const EVAL_FILE = 'eval.json';

export const recommenderDir = (project: string) => path.join(project, RECOMMENDER_DIR);

export async function readRecommenderManifest(project: string): Promise<RecommenderManifest> {
  const file = path.join(recommenderDir(project), MODEL_FILE);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(
      `${project}: no target recommender yet (missing ${file}); run 'recx recommender train' or 'recx recommender import'`,
    );
  });
  const parsed = recommenderManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${file}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

/** Saves trained weights, then the manifest (each atomically; the manifest last). */
export async function saveTrainedRecommender(
  project: string,
  manifest: RecommenderManifest,
  weights: Map<string, HostTensor>,
): Promise<void> {
  const dir = recommenderDir(project);
  await saveSafetensors(path.join(dir, WEIGHTS_FILE), weights, { kind: manifest.kind });
  await writeFileAtomic(
    path.join(dir, MODEL_FILE),
    `${JSON.stringify(recommenderManifestSchema.parse(manifest), null, 2)}\n`,
  );
}

export async function loadWeights(project: string): Promise<Map<string, HostTensor>> {
  return (await loadSafetensors(path.join(recommenderDir(project), WEIGHTS_FILE))).tensors;
}
