/**
 * The explorer's loaded projects: the stored dataset (with lower-cased titles for search), the
 * target recommender and the alignment exports, each in a small LRU keyed by the project folder
 * and stamped with its files' mtimes, so a re-import or retrain is picked up without a restart.
 * `releaseExplorer` frees them (and every other cache registered here, e.g. aligned LMs).
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DATA_DIR, DATASET_FILES, readDataset } from '../data/dataset-store.ts';
import type { ProcessedDataset } from '../data/preprocess.ts';
import { InputError } from '../errors.ts';
import { anchorHistory } from '../recommender/export/anchors.ts';
import { type AlignmentExports, EXPORT_FILES, exportsDir, readExports } from '../recommender/export/index.ts';
import { loadRecommender } from '../recommender/load-recommender.ts';
import { MODEL_FILE, RECOMMENDER_DIR } from '../recommender/store.ts';
import type { TargetRecommender } from '../recommender/types.ts';
import { ResourceCache } from './resource-cache.ts';

export interface DatasetView {
  dataset: ProcessedDataset;
  contentHash: string;
  /** titles[item − 1], lower-cased, for search. */
  titlesLower: string[];
}

/** Projects whose dataset / recommender stay loaded (recommenders hold ORT sessions, so fewer). */
const DATASETS = 4;
const RECOMMENDERS = 2;

const datasets = new ResourceCache<DatasetView>(DATASETS);
const recommenders = new ResourceCache<TargetRecommender>(RECOMMENDERS, (r) => r.release());
const exportSets = new ResourceCache<AlignmentExports>(RECOMMENDERS);
const registry: ResourceCache<unknown>[] = [datasets, recommenders, exportSets] as ResourceCache<unknown>[];

/** Registers another per-project cache (keys from `projectKey`) so releaseExplorer frees it too. */
export function registerProjectCache<V>(cache: ResourceCache<V>): void {
  registry.push(cache as ResourceCache<unknown>);
}

/** Cache key of a project folder, optionally with a sub-key (a run id). */
export const projectKey = (project: string, sub = '') => `${path.resolve(project)}\0${sub}`;

/** mtimes of `files` joined: changes when any of them is rewritten ('-' for a missing one). */
export async function fileStamp(...files: string[]): Promise<string> {
  const times = await Promise.all(
    files.map((f) =>
      stat(f).then(
        (s) => String(s.mtimeMs),
        () => '-',
      ),
    ),
  );
  return times.join('|');
}

const datasetStamp = (project: string) => fileStamp(path.join(project, DATA_DIR, DATASET_FILES.manifest));

export async function withDataset<R>(project: string, fn: (d: DatasetView) => Promise<R> | R): Promise<R> {
  const load = async (): Promise<DatasetView> => {
    const { dataset, manifest } = await readDataset(project);
    const titlesLower = dataset.itemRecords.map((r) => r.title.toLowerCase());
    return { dataset, contentHash: manifest.contentHash, titlesLower };
  };
  return datasets.use(projectKey(project), await datasetStamp(project), load, fn);
}

export async function withRecommender<R>(
  project: string,
  fn: (rec: TargetRecommender, d: DatasetView) => Promise<R> | R,
): Promise<R> {
  const stamp = `${await datasetStamp(project)}#${await fileStamp(path.join(project, RECOMMENDER_DIR, MODEL_FILE))}`;
  return withDataset(project, (d) =>
    recommenders.use(
      projectKey(project),
      stamp,
      () => loadRecommender(project),
      (r) => fn(r, d),
    ),
  );
}

export async function withExports<R>(project: string, fn: (e: AlignmentExports) => Promise<R> | R): Promise<R> {
  const stamp = await fileStamp(path.join(exportsDir(project), EXPORT_FILES.summary));
  return exportSets.use(projectKey(project), stamp, () => readExports(project), fn);
}

/** Frees the loaded data and models of `project`, or of every project. */
export async function releaseExplorer(project?: string): Promise<void> {
  const prefix = project === undefined ? '' : projectKey(project);
  await Promise.all(registry.map((c) => c.release((k) => k.startsWith(prefix))));
}

/** Length of user's sequence; the test anchor is at L − 1 (history = all but the test item). */
const sequenceLength = (ds: ProcessedDataset, user: number) => ds.offsets[user] - ds.offsets[user - 1];

/** Whether `user` has a test anchor with at least one history item. */
export const hasTestAnchor = (ds: ProcessedDataset, user: number) => sequenceLength(ds, user) >= 2;

/** The history the recommender sees at the user's test anchor (oldest first); InputError naming an unknown user. */
export function testHistory(ds: ProcessedDataset, user: number): Uint32Array {
  if (!Number.isInteger(user) || user < 1 || user > ds.numUsers) {
    throw new InputError(`user ${user} is not in this project (users are numbered 1…${ds.numUsers})`);
  }
  if (!hasTestAnchor(ds, user)) throw new InputError(`user ${user} has too short a history to have a test anchor`);
  return anchorHistory(ds, user, sequenceLength(ds, user) - 1);
}

/** Checks an item id; InputError naming it. */
export function checkItem(ds: ProcessedDataset, item: number): void {
  if (!Number.isInteger(item) || item < 1 || item > ds.numItems) {
    throw new InputError(`item ${item} is not in this project (items are numbered 1…${ds.numItems})`);
  }
}
