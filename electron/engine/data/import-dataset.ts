/**
 * The data job: read a user's files (or generate the demo), preprocess, split, and store the result
 * in `<project>/data` atomically. Everything is computed in memory first; only then is anything
 * written, and a failure leaves neither a project folder nor partial files behind.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { totalmem } from 'node:os';
import path from 'node:path';
import { DATASET_SCHEMA_VERSION, type DatasetManifest } from '../../contracts/dataset.ts';
import { InputError } from '../errors.ts';
import { exists, replaceDirAtomic, TMP_PREFIX } from '../project/atomic-io.ts';
import { newProjectFile, readProjectFile, writeProjectFile } from '../project/project-file.ts';
import { datasetCounts, sequenceLengthStats } from './dataset-stats.ts';
import { contentHash, DATA_DIR, DATASET_FILES, datasetFileContents, writeDatasetFiles } from './dataset-store.ts';
import { remapGroundTruth } from './ground-truth.ts';
import {
  type CsvMapping,
  DATASET_FORMATS,
  type DatasetFormat,
  IMPORTERS,
  type SyntheticSize,
} from './importers/index.ts';
import { DEFAULT_PREPROCESS, preprocess } from './preprocess.ts';
import { defaultMaxInteractions } from './raw-dataset.ts';
import { combinedSourceHash, hashFile } from './source-hash.ts';
import { leaveOneOutSplit } from './split.ts';

export interface ImportRequest {
  format: DatasetFormat;
  project: string;
  /** Replace an existing dataset in the project. */
  force?: boolean;
  input?: string;
  encoding?: string;
  csv?: CsvMapping;
  synthetic?: SyntheticSize;
  /** Defaults to the project's seed, or 42 for a new project. */
  seed?: number;
  /** Stored as the project's thread count (project.json `threads`; 1 = reproducible); absent keeps the project's. */
  threads?: number;
  kCore?: number;
  topItems?: number;
  maxUsers?: number;
  maxInteractions?: number;
  /** Progress of the current stage ('reading', 'preprocessing', 'writing'). */
  onProgress?: (stage: string, done: number, total: number) => void;
}

export interface ImportResult {
  project: string;
  manifest: DatasetManifest;
}

async function checkTarget(req: ImportRequest): Promise<void> {
  if (!(DATASET_FORMATS as readonly string[]).includes(req.format)) {
    throw new InputError(`unknown format "${req.format}": expected one of ${DATASET_FORMATS.join(', ')}`);
  }
  if (req.format !== 'synthetic' && !req.input) throw new InputError(`--input is required for format ${req.format}`);
  const st = await stat(req.project).catch(() => null);
  if (st && !st.isDirectory()) throw new InputError(`${req.project}: the project path exists and is not a folder`);
  if (!req.force && (await exists(path.join(req.project, DATA_DIR, DATASET_FILES.manifest)))) {
    throw new InputError(`${req.project} already has a dataset; pass --force to replace it`);
  }
}

/** Removes temporaries a killed import left behind. */
async function removeStaleTemporaries(projectDir: string): Promise<void> {
  const names = await readdir(projectDir).catch(() => [] as string[]);
  for (const n of names)
    if (n.startsWith(TMP_PREFIX)) await rm(path.join(projectDir, n), { recursive: true, force: true });
}

export async function importDataset(req: ImportRequest): Promise<ImportResult> {
  await checkTarget(req);
  const existing = await readProjectFile(req.project);
  const seed = req.seed ?? existing?.seed ?? DEFAULT_PREPROCESS.seed;
  const params = {
    kCore: req.kCore ?? DEFAULT_PREPROCESS.kCore,
    topItems: req.topItems,
    maxUsers: req.maxUsers,
    seed,
  };
  const raw = await IMPORTERS[req.format]({
    input: req.input,
    encoding: req.encoding,
    maxInteractions: req.maxInteractions ?? defaultMaxInteractions(totalmem()),
    seed,
    csv: req.csv,
    synthetic: req.synthetic,
    onProgress: (d, t) => req.onProgress?.(req.format === 'synthetic' ? 'generating' : 'reading', d, t),
  });
  req.onProgress?.('preprocessing', 0, 1);
  const ds = preprocess(raw, params);
  const split = leaveOneOutSplit(ds);
  req.onProgress?.('preprocessing', 1, 1);
  const sources = [];
  for (const f of raw.sources) sources.push(await hashFile(f));
  const groundTruth = raw.groundTruth ? remapGroundTruth(raw.groundTruth, ds) : undefined;
  const files = datasetFileContents(ds, groundTruth);
  const manifest: DatasetManifest = {
    schemaVersion: DATASET_SCHEMA_VERSION,
    format: raw.format,
    sources,
    sourceHash: combinedSourceHash(sources, raw.format === 'synthetic' ? JSON.stringify(req.synthetic ?? {}) : ''),
    contentHash: contentHash(files),
    parameters: {
      ...params,
      encoding: req.encoding,
      csv: req.csv ? { ...req.csv } : undefined,
      synthetic: req.synthetic,
    },
    counts: datasetCounts(ds),
    sequenceLength: sequenceLengthStats(ds.offsets),
    split: { scheme: 'leave-one-out', ...split.sizes },
    stages: ds.stages,
    warnings: ds.warnings,
    hasGroundTruth: groundTruth !== undefined,
  };
  await writeProject(req.project, { seed, threads: req.threads }, manifest, files);
  return { project: path.resolve(req.project), manifest };
}

async function writeProject(
  projectDir: string,
  { seed, threads }: { seed: number; threads?: number },
  manifest: DatasetManifest,
  files: ReturnType<typeof datasetFileContents>,
): Promise<void> {
  const created = !(await exists(projectDir));
  try {
    await mkdir(projectDir, { recursive: true });
    await removeStaleTemporaries(projectDir);
    await replaceDirAtomic(path.join(projectDir, DATA_DIR), (tmp) => writeDatasetFiles(tmp, files, manifest));
    const project = (await readProjectFile(projectDir)) ?? newProjectFile(projectDir, seed);
    const now = new Date().toISOString();
    await writeProjectFile(projectDir, {
      ...project,
      seed,
      ...(threads === undefined ? {} : { threads }),
      data: { format: manifest.format, importedAt: now, contentHash: manifest.contentHash },
    });
  } catch (e) {
    if (created) await rm(projectDir, { recursive: true, force: true });
    throw e;
  }
}
