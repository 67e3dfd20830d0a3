/**
 * Reads one float tensor (an embedding table) from a .safetensors or .npy file as float32, and
 * checks tensors for NaN/Inf naming the file, tensor and first bad row.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { DatasetFormatError, InputError } from '../../errors.ts';
import { f16ToFloat32, loadSafetensors, readSafetensorsHeader } from '../../graph/safetensors.ts';
import { readNpy } from './npy.ts';

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
  /** Where it came from, for messages: `file` or `file` tensor "name". */
  label: string;
}

export type TensorFileKind = 'safetensors' | 'npy';

export function tensorFileKind(file: string, role: string): TensorFileKind {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.safetensors') return 'safetensors';
  if (ext === '.npy') return 'npy';
  throw new InputError(`${file}: ${role} must be a .safetensors or .npy file`);
}

/** Fails with an InputError naming the role when `file` is missing or not a regular file. */
export async function requireInputFile(file: string, role: string): Promise<void> {
  const st = await stat(file).catch(() => null);
  if (!st) throw new InputError(`${file}: ${role} not found`);
  if (!st.isFile()) throw new InputError(`${file}: ${role} must be a file`);
}

/** Names of the tensors in a safetensors file. */
export async function safetensorsNames(file: string): Promise<string[]> {
  return Object.keys((await readSafetensorsHeader(file)).tensors);
}

/**
 * The tensor `name` of a safetensors file (or its only tensor when `name` is omitted), or the array
 * of an .npy file; float16/bfloat16/float64 are converted to float32.
 */
export async function readFloatTensor(file: string, role: string, name?: string): Promise<FloatTensor> {
  await requireInputFile(file, role);
  if (tensorFileKind(file, role) === 'npy') {
    const a = await readNpy(file);
    return { shape: a.shape, data: a.data instanceof Float32Array ? a.data : Float32Array.from(a.data), label: file };
  }
  const names = await safetensorsNames(file);
  let chosen = name;
  if (chosen === undefined) {
    if (names.length !== 1) {
      throw new InputError(`${file}: ${role} holds ${names.length} tensors (${names.join(', ')}); name the one to use`);
    }
    chosen = names[0];
  }
  if (!names.includes(chosen)) {
    throw new DatasetFormatError({
      file,
      field: chosen,
      expected: `a tensor named "${chosen}" (found: ${names.join(', ')})`,
    });
  }
  const t = (await loadSafetensors(file, [chosen])).tensors.get(chosen)!;
  const label = `${file} tensor "${chosen}"`;
  let data: Float32Array;
  if (t.dtype === 'float32') data = t.data as Float32Array;
  else if (t.dtype === 'float64') data = Float32Array.from(t.data as Float64Array);
  else if (t.dtype === 'float16') data = f16ToFloat32(t.data as Uint16Array);
  else
    throw new DatasetFormatError({
      file,
      field: chosen,
      expected: 'a float tensor (F32, F64, F16 or BF16)',
      got: t.dtype,
    });
  return { shape: t.dims, data, label };
}

/** Index of the first NaN or ±Infinity in `data`, or -1. */
export function firstNonFinite(data: Float32Array): number {
  for (let k = 0; k < data.length; k++) if (!Number.isFinite(data[k])) return k;
  return -1;
}

/** Throws naming the first row (of `rowWidth` values) that holds NaN or ±Infinity. */
export function assertFinite(data: Float32Array, rowWidth: number, file: string, field: string): void {
  const k = firstNonFinite(data);
  if (k === -1) return;
  throw new DatasetFormatError({
    file,
    field: `${field} row ${Math.floor(k / rowWidth)}`,
    expected: 'finite numbers (no NaN or Infinity)',
    got: String(data[k]),
  });
}

/** Shape as written in messages: [41, 8]. */
export const shapeText = (shape: readonly (number | string | null)[]): string =>
  `[${shape.map((d) => d ?? '?').join(', ')}]`;
