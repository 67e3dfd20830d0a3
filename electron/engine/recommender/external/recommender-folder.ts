/**
 * `<project>/recommender/` for imported recommenders: the user's files are copied verbatim into
 * `source/` (provenance), the validated and id-resolved tables are written beside them in our own
 * layout, and `model.json` describes the result. The folder is built in a temporary sibling and
 * swapped in, so a failed import leaves the previous recommender as it was.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import {
  RECOMMENDER_SCHEMA_VERSION,
  type RecommenderManifest,
  recommenderManifestSchema,
} from '../../../contracts/recommender.ts';
import { DATA_DIR, DATASET_FILES, readDataset } from '../../data/dataset-store.ts';
import type { ProcessedDataset } from '../../data/preprocess.ts';
import { DatasetFormatError, InputError } from '../../errors.ts';
import { exists, replaceDirAtomic } from '../../project/atomic-io.ts';
import { MODEL_FILE, RECOMMENDER_DIR } from '../store.ts';

/** Where the user's files are copied, inside the recommender folder. */
export const SOURCE_DIR = 'source';

export interface ProjectDataset {
  dataset: ProcessedDataset;
  contentHash: string;
  /** Dataset item id by source id. */
  itemIds: Map<string, number>;
  /** Dataset user id by source id. */
  userIds: Map<string, number>;
}

/** The project's dataset, and a refusal to replace an existing recommender without `force`. */
export async function openImportTarget(project: string, force = false): Promise<ProjectDataset> {
  const { manifest, dataset } = await readDataset(project);
  if (!force && (await exists(path.join(project, RECOMMENDER_DIR, MODEL_FILE)))) {
    throw new InputError(`${project} already has a recommender; pass --force to replace it`);
  }
  return {
    dataset,
    contentHash: manifest.contentHash,
    itemIds: new Map(dataset.itemRecords.map((r, k) => [r.sourceId, k + 1])),
    userIds: new Map(dataset.userSourceIds.map((s, k) => [s, k + 1])),
  };
}

/** A user file to copy into `source/`, under `role` in the manifest's details. */
export interface SourceFile {
  role: string;
  file: string;
}

/** Stored name (relative to the recommender folder) per role; clashing base names get the role as prefix. */
export function sourceNames(sources: SourceFile[]): Record<string, string> {
  const names: Record<string, string> = {};
  const used = new Set<string>();
  for (const { role, file } of sources) {
    let name = path.basename(file);
    if (used.has(name)) name = `${role}-${name}`;
    used.add(name);
    names[role] = `${SOURCE_DIR}/${name}`;
  }
  return names;
}

export interface RecommenderFolder {
  manifest: Omit<RecommenderManifest, 'schemaVersion' | 'createdAt'>;
  /** Our files, by name relative to the recommender folder. */
  files: [string, Uint8Array | string][];
  sources: SourceFile[];
}

/** Writes `<project>/recommender/` atomically and returns the stored manifest. */
export async function writeRecommenderFolder(project: string, folder: RecommenderFolder): Promise<RecommenderManifest> {
  const manifest = recommenderManifestSchema.parse({
    schemaVersion: RECOMMENDER_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    ...folder.manifest,
  });
  const stored = sourceNames(folder.sources);
  await replaceDirAtomic(path.join(project, RECOMMENDER_DIR), async (tmp) => {
    await mkdir(path.join(tmp, SOURCE_DIR));
    for (const { role, file } of folder.sources) await copyFile(file, path.join(tmp, stored[role]));
    for (const [name, data] of folder.files) await writeFile(path.join(tmp, name), data);
    await writeFile(path.join(tmp, MODEL_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  });
  return manifest;
}

/** Refuses a recommender imported for another version of the project's dataset. */
export async function assertDatasetMatches(projectDir: string, manifest: RecommenderManifest): Promise<void> {
  const file = path.join(projectDir, DATA_DIR, DATASET_FILES.manifest);
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`${projectDir}: no dataset found (missing ${file})`);
  });
  let hash: unknown;
  try {
    hash = JSON.parse(text).contentHash;
  } catch {
    throw new InputError(`${file}: expected valid JSON`);
  }
  if (hash !== manifest.dataContentHash) {
    throw new InputError(
      `${path.join(projectDir, RECOMMENDER_DIR, MODEL_FILE)}: the recommender was imported for another dataset ` +
        `(content hash ${manifest.dataContentHash.slice(0, 12)}…, the project's is ${String(hash).slice(0, 12)}…); import it again`,
    );
  }
}

/** The kind-specific `details` of model.json, validated; a bad field is an InputError naming it. */
export function parseDetails<S extends z.ZodType>(
  schema: S,
  projectDir: string,
  manifest: RecommenderManifest,
): z.infer<S> {
  const parsed = schema.safeParse(manifest.details);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const file = path.join(projectDir, RECOMMENDER_DIR, MODEL_FILE);
    throw new InputError(`${file}: field "details.${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

/** A file of the stored recommender folder. */
export const recommenderPath = (projectDir: string, name: string): string =>
  path.join(projectDir, RECOMMENDER_DIR, name);

export interface ExternalImportResult {
  /** Absolute project folder. */
  project: string;
  manifest: RecommenderManifest;
}

/** Reads a JSON file the user wrote; a missing file or bad JSON is an error naming it. */
export async function readUserJson(file: string, role: string): Promise<unknown> {
  const text = await readFile(file, 'utf8').catch(() => {
    throw new InputError(`${file}: ${role} not found`);
  });
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new DatasetFormatError({ file, expected: 'valid JSON', got: (e as Error).message });
  }
}

function valueAt(json: unknown, at: readonly PropertyKey[]): unknown {
  let v = json;
  for (const k of at) v = v !== null && typeof v === 'object' ? (v as Record<PropertyKey, unknown>)[k] : undefined;
  return v;
}

/** Validates a user-written JSON file against `schema`; the first issue names file and field. */
export function parseUserJson<S extends z.ZodType>(schema: S, json: unknown, file: string): z.infer<S> {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
  if (issue.code === 'unrecognized_keys') {
    throw new DatasetFormatError({
      file,
      field: issue.keys.join(', '),
      expected: 'no field by this name (check the spelling)',
    });
  }
  const value = valueAt(json, issue.path);
  const expected =
    issue.code === 'invalid_type'
      ? `a ${issue.expected}${value === undefined ? ' (the field is required)' : ''}`
      : issue.message;
  throw new DatasetFormatError({
    file,
    field,
    expected,
    got: value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value),
  });
}
