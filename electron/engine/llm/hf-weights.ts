/**
 * The safetensors weights of a Hugging Face model folder: `model.safetensors`, or shards listed by
 * `model.safetensors.index.json`. Finds which file holds each tensor from the headers alone, checks
 * names, shapes and dtypes before reading any data, then reads tensor by tensor (a 15 GB shard is
 * never read as one buffer), widening F16/BF16 to float32. Also writes a safetensors file tensor by
 * tensor.
 */
import { readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import {
  f16ToFloat32,
  loadSafetensors,
  readSafetensorsHeader,
  type SafetensorsEntry,
  type SafetensorsHeader,
  writeSafetensorsStreaming,
} from '../graph/safetensors.ts';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';
/** Weight dtypes we read (all become float32). */
export const FLOAT_DTYPES = ['F32', 'F16', 'BF16'] as const;

export interface HfWeightIndex {
  dir: string;
  /** Weight files, absolute paths, in index order. */
  files: string[];
  /** Tensor name → absolute path of the file holding it. */
  fileOf: Map<string, string>;
  headers: Map<string, SafetensorsHeader>;
}

async function isFile(p: string): Promise<boolean> {
  return stat(p).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** Reads the index (if sharded) and every weight file's header. */
export async function indexHfWeights(dir: string): Promise<HfWeightIndex> {
  const indexPath = path.join(dir, INDEX_FILE);
  const single = path.join(dir, SINGLE_FILE);
  const fileOf = new Map<string, string>();
  let files: string[];
  if (await isFile(single)) {
    files = [single];
  } else if (await isFile(indexPath)) {
    let map: unknown;
    try {
      map = JSON.parse(await readFile(indexPath, 'utf8')).weight_map;
    } catch (e) {
      throw new InputError(`${indexPath}: not valid JSON (${(e as Error).message})`);
    }
    if (typeof map !== 'object' || map === null || Object.values(map).some((f) => typeof f !== 'string'))
      throw new InputError(`${indexPath}: field "weight_map": expected an object of tensor name → shard file`);
    files = [];
    for (const [name, f] of Object.entries(map as Record<string, string>)) {
      const shard = path.join(dir, f);
      if (!files.includes(shard)) files.push(shard);
      fileOf.set(name, shard);
    }
    for (const f of files)
      if (!(await isFile(f))) throw new InputError(`${f}: shard listed in ${indexPath} is missing`);
  } else {
    const bin = (await isFile(path.join(dir, 'pytorch_model.bin'))) ? ' (PyTorch .bin weights are not supported)' : '';
    throw new InputError(`${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}${bin}`);
  }
  const headers = new Map<string, SafetensorsHeader>();
  for (const f of files) {
    const h = await readSafetensorsHeader(f);
    headers.set(f, h);
    for (const name of Object.keys(h.tensors)) if (!fileOf.has(name)) fileOf.set(name, f);
  }
  return { dir, files, fileOf, headers };
}

/** The header entry of `name`, checked against the expected shape and a float dtype. */
export function weightEntry(index: HfWeightIndex, name: string, dims: number[]): SafetensorsEntry {
  const file = index.fileOf.get(name);
  const shape = `[${dims.join(', ')}]`;
  const entry = file ? index.headers.get(file)?.tensors[name] : undefined;
  if (!file || !entry) {
    const where = file ?? (index.files.length === 1 ? index.files[0] : path.join(index.dir, INDEX_FILE));
    throw new InputError(`${where}: tensor "${name}" (expected shape ${shape}) is missing`);
  }
  if (entry.shape.length !== dims.length || entry.shape.some((d, k) => d !== dims[k]))
    throw new InputError(`${file}: tensor "${name}": expected shape ${shape}, got [${entry.shape.join(', ')}]`);
  if (!(FLOAT_DTYPES as readonly string[]).includes(entry.dtype))
    throw new InputError(`${file}: tensor "${name}": dtype ${entry.dtype} is not one of ${FLOAT_DTYPES.join(', ')}`);
  return entry;
}

/** Reads one tensor as float32 (checked by `weightEntry` first). */
export async function readWeight(index: HfWeightIndex, name: string, dims: number[]): Promise<HostTensor> {
  weightEntry(index, name, dims);
  const file = index.fileOf.get(name)!;
  const t = (await loadSafetensors(file, [name])).tensors.get(name)!;
  if (t.dtype === 'float16') return { dtype: 'float32', dims: t.dims, data: f16ToFloat32(t.data as Uint16Array) };
  return t;
}

/** Writes float32 tensors as one safetensors file, into a temporary sibling renamed into place. */
export async function writeSafetensorsAtomic(
  file: string,
  tensors: Map<string, HostTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  for (const [name, t] of tensors) {
    if (t.dtype !== 'float32') throw new Error(`${file}: tensor "${name}" is ${t.dtype}, expected float32`);
  }
  const tmp = path.join(path.dirname(file), `.tmp-${path.basename(file)}-${process.pid}`);
  try {
    await writeSafetensorsStreaming(tmp, tensors, metadata);
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
