/**
 * On-disk layout of a processed dataset inside `<project>/data/` (little-endian arrays, readable
 * with numpy.fromfile):
 *   seq_offsets.u32  uint32[users+1]   user u (1-based) owns entries offsets[u-1] .. offsets[u]
 *   seq_items.u32    uint32[interactions] item ids (1-based; 0 is reserved for padding)
 *   seq_times.f64    float64[interactions] timestamps as given by the source
 *   items.jsonl      {"id","sourceId","title","attributes"} per item, in id order
 *   users.jsonl      {"id","sourceId"} per user, in id order
 *   ground_truth.json  synthetic data only: interests / categories keyed by the new ids
 *   dataset.json     the manifest (contracts/dataset.ts)
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import path from 'node:path';
import { type DatasetManifest, datasetManifestSchema } from '../../contracts/dataset.ts';
import { InputError } from '../errors.ts';
import type { ItemRecord, ProcessedDataset } from './preprocess.ts';

export const DATA_DIR = 'data';
export const DATASET_FILES = {
  offsets: 'seq_offsets.u32',
  items: 'seq_items.u32',
  times: 'seq_times.f64',
  itemRecords: 'items.jsonl',
  users: 'users.jsonl',
  groundTruth: 'ground_truth.json',
  manifest: 'dataset.json',
} as const;

if (endianness() !== 'LE') throw new Error('dataset files are little-endian; big-endian hosts are not supported');

const bytesOf = (a: Uint32Array | Float64Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** The stored files except the manifest, in a fixed order (their bytes define the content hash). */
export function datasetFileContents(ds: ProcessedDataset, groundTruth?: unknown): [string, Uint8Array | string][] {
  const items = ds.itemRecords.map((r) => JSON.stringify(r)).join('\n');
  const users = ds.userSourceIds.map((s, k) => JSON.stringify({ id: k + 1, sourceId: s })).join('\n');
  const files: [string, Uint8Array | string][] = [
    [DATASET_FILES.offsets, bytesOf(ds.offsets)],
    [DATASET_FILES.items, bytesOf(ds.items)],
    [DATASET_FILES.times, bytesOf(ds.times)],
    [DATASET_FILES.itemRecords, `${items}\n`],
    [DATASET_FILES.users, `${users}\n`],
  ];
  if (groundTruth !== undefined) files.push([DATASET_FILES.groundTruth, `${JSON.stringify(groundTruth, null, 1)}\n`]);
  return files;
}

export function contentHash(files: [string, Uint8Array | string][]): string {
  const h = createHash('sha256');
  for (const [name, data] of files) h.update(name).update(data);
  return h.digest('hex');
}

/** Writes all files into `dir` (a fresh temporary folder: the caller swaps it in atomically). */
export async function writeDatasetFiles(
  dir: string,
  files: [string, Uint8Array | string][],
  manifest: DatasetManifest,
): Promise<void> {
  for (const [name, data] of files) await writeFile(path.join(dir, name), data);
  const json = `${JSON.stringify(datasetManifestSchema.parse(manifest), null, 2)}\n`;
  await writeFile(path.join(dir, DATASET_FILES.manifest), json);
}

export interface StoredDataset {
  manifest: DatasetManifest;
  dataset: ProcessedDataset;
}

async function readArray<T extends Uint32Array | Float64Array>(
  file: string,
  Ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
  expected: number,
): Promise<T> {
  const buf = await readFile(file).catch(() => {
    throw new InputError(`${file}: missing; re-import the dataset`);
  });
  if (buf.byteLength !== expected * Ctor.BYTES_PER_ELEMENT) {
    throw new InputError(`${file}: expected ${expected} entries, found ${buf.byteLength / Ctor.BYTES_PER_ELEMENT}`);
  }
  const copy = new ArrayBuffer(buf.byteLength);
  new Uint8Array(copy).set(buf);
  return new Ctor(copy);
}

function parseJsonl<T>(text: string, file: string): T[] {
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l, k) => {
      try {
        return JSON.parse(l) as T;
      } catch {
        throw new InputError(`${file}:${k + 1}: expected a JSON object`);
      }
    });
}

/** Loads `<project>/data`; a missing or damaged folder is a user error that names the file. */
export async function readDataset(projectDir: string): Promise<StoredDataset> {
  const dir = path.join(projectDir, DATA_DIR);
  const mf = path.join(dir, DATASET_FILES.manifest);
  const text = await readFile(mf, 'utf8').catch(() => {
    throw new InputError(`${projectDir}: no dataset found (missing ${mf}); run 'recx data import' first`);
  });
  const parsed = datasetManifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${mf}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const manifest = parsed.data;
  const { users, items, interactions } = manifest.counts;
  const offsets = await readArray(path.join(dir, DATASET_FILES.offsets), Uint32Array, users + 1);
  const seqItems = await readArray(path.join(dir, DATASET_FILES.items), Uint32Array, interactions);
  const times = await readArray(path.join(dir, DATASET_FILES.times), Float64Array, interactions);
  const itemsFile = path.join(dir, DATASET_FILES.itemRecords);
  const itemRecords = parseJsonl<ItemRecord>(await readFile(itemsFile, 'utf8'), itemsFile);
  if (itemRecords.length !== items) throw new InputError(`${itemsFile}: expected ${items} items`);
  const usersFile = path.join(dir, DATASET_FILES.users);
  const userRows = parseJsonl<{ sourceId: string }>(await readFile(usersFile, 'utf8'), usersFile);
  return {
    manifest,
    dataset: {
      numUsers: users,
      numItems: items,
      offsets,
      items: seqItems,
      times,
      userSourceIds: userRows.map((r) => r.sourceId),
      itemRecords,
      stages: manifest.stages,
      warnings: manifest.warnings,
    },
  };
}
