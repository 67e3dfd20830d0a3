/**
 * NumPy .npy files (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html):
 * the magic "\x93NUMPY", a version byte pair, a little-endian header length (uint16 in v1, uint32
 * in v2/v3), an ASCII/UTF-8 Python dict literal {'descr', 'fortran_order', 'shape'} padded with
 * spaces and a newline, then the raw array. Only what embedding tables need is read: little-endian
 * float32/float64 in C order. Enough to accept `numpy.save('items.npy', table)` directly.
 */
import { readFile } from 'node:fs/promises';
import { DatasetFormatError, InputError } from '../../errors.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export interface NpyArray {
  dtype: 'float32' | 'float64';
  shape: number[];
  data: Float32Array | Float64Array;
}

const DESCR: Record<string, NpyArray['dtype']> = { '<f4': 'float32', '<f8': 'float64' };

function headerValue(header: string, key: string): string | undefined {
  return new RegExp(`['"]${key}['"]\\s*:\\s*(\\([^)]*\\)|'[^']*'|"[^"]*"|True|False)`).exec(header)?.[1];
}

function parseShape(file: string, text: string | undefined): number[] {
  if (text === undefined)
    throw new DatasetFormatError({ file, field: 'shape', expected: 'a shape tuple in the header' });
  const parts = text
    .slice(1, -1)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (!parts.every((p) => /^\d+L?$/.test(p))) {
    throw new DatasetFormatError({ file, field: 'shape', expected: 'a tuple of non-negative integers', got: text });
  }
  return parts.map((p) => Number.parseInt(p, 10));
}

/** Decodes .npy bytes; `file` only names the source in errors. */
export function decodeNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) {
    throw new DatasetFormatError({ file, expected: 'a NumPy .npy file (magic "\\x93NUMPY")' });
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw new DatasetFormatError({
      file,
      field: 'version',
      expected: '.npy format version 1, 2 or 3',
      got: `${major}`,
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) throw new DatasetFormatError({ file, expected: 'a complete .npy header (truncated?)' });
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenBytes, dataStart));
  const descr = headerValue(header, 'descr')?.slice(1, -1);
  const dtype = descr !== undefined ? DESCR[descr] : undefined;
  if (!dtype) {
    throw new DatasetFormatError({
      file,
      field: 'descr',
      expected: "little-endian float32 or float64 ('<f4' or '<f8'; use array.astype('<f4'))",
      got: descr ?? header.trim(),
    });
  }
  if (headerValue(header, 'fortran_order') !== 'False') {
    throw new DatasetFormatError({
      file,
      field: 'fortran_order',
      expected: 'C order (fortran_order False; use numpy.ascontiguousarray)',
      got: headerValue(header, 'fortran_order') ?? '',
    });
  }
  const shape = parseShape(file, headerValue(header, 'shape'));
  const count = shape.reduce((p, d) => p * d, 1);
  const width = dtype === 'float32' ? 4 : 8;
  if (bytes.length - dataStart !== count * width) {
    throw new DatasetFormatError({
      file,
      field: 'shape',
      expected: `${count * width} data bytes for shape (${shape.join(', ')})`,
      got: `${bytes.length - dataStart} bytes`,
    });
  }
  const copy = new ArrayBuffer(count * width);
  new Uint8Array(copy).set(bytes.subarray(dataStart));
  return { dtype, shape, data: dtype === 'float32' ? new Float32Array(copy) : new Float64Array(copy) };
}

export async function readNpy(file: string): Promise<NpyArray> {
  const bytes = await readFile(file).catch(() => {
    throw new InputError(`${file}: not found`);
  });
  return decodeNpy(bytes, file);
}

/** Encodes a C-order float array as .npy version 1 (header padded to a multiple of 64 bytes). */
export function encodeNpy(data: Float32Array | Float64Array, shape: number[]): Uint8Array {
  const descr = data instanceof Float32Array ? '<f4' : '<f8';
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64);
  header += '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
