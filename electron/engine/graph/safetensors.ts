/**
 * safetensors I/O (https://huggingface.co/docs/safetensors): 8-byte little-endian header length,
 * a JSON header {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}, then the
 * raw little-endian tensor bytes. Small enough to implement directly; used for checkpoints,
 * fixtures and model weights. Reading picks tensors out of the file without loading all of it.
 */
import { open, readFile } from 'node:fs/promises';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import type { DType, HostTensor, TypedArray } from './graph.ts';

const TO_ST: Partial<Record<DType, string>> = {
  float32: 'F32',
  float64: 'F64',
  float16: 'F16',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};
const FROM_ST: Record<string, DType> = {
  F32: 'float32',
  F64: 'float64',
  F16: 'float16',
  I64: 'int64',
  I32: 'int32',
  U8: 'uint8',
  BOOL: 'bool',
};
const BYTES: Record<string, number> = { F32: 4, F64: 8, F16: 2, BF16: 2, I64: 8, I32: 4, U8: 1, BOOL: 1 };

export interface SafetensorsEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

export interface SafetensorsHeader {
  tensors: Record<string, SafetensorsEntry>;
  metadata: Record<string, string>;
  /** Byte offset of the data section in the file. */
  dataStart: number;
}

/**
 * The file's layout: tensors sorted by name and the 8-byte length + JSON header (padded with spaces
 * so the data starts 8-byte aligned); `dataBytes` follow the prefix in `entries` order.
 */
function safetensorsLayout(
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata: Record<string, string>,
): { entries: [string, HostTensor][]; prefix: Buffer; dataBytes: number } {
  const entries = (tensors instanceof Map ? [...tensors] : Object.entries(tensors)).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const st = TO_ST[t.dtype];
    if (!st) throw new Error(`safetensors: unsupported dtype ${t.dtype} for ${name}`);
    const count = t.dims.reduce((p, d) => p * d, 1);
    if (count !== t.data.length) throw new Error(`safetensors: ${name} has ${t.data.length} values for [${t.dims}]`);
    header[name] = { dtype: st, shape: t.dims, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + Buffer.byteLength(json)) % 8)) % 8);
  const headerBytes = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8 + headerBytes.length);
  prefix.writeBigUInt64LE(BigInt(headerBytes.length), 0);
  headerBytes.copy(prefix, 8);
  return { entries, prefix, dataBytes: offset };
}

/** Serialises tensors (names sorted, 8-byte aligned) with optional string metadata. */
export function encodeSafetensors(
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const { entries, prefix, dataBytes } = safetensorsLayout(tensors, metadata);
  const out = new Uint8Array(prefix.length + dataBytes);
  out.set(prefix, 0);
  let at = prefix.length;
  for (const [, t] of entries) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), at);
    at += t.data.byteLength;
  }
  return out;
}

export async function saveSafetensors(
  file: string,
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  await writeFileAtomic(file, encodeSafetensors(tensors, metadata));
}

function parseHeader(file: string, json: string, fileSize: number): SafetensorsHeader {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new InputError(`${file}: not a safetensors file (header is not JSON)`);
  }
  const { __metadata__, ...rest } = raw as { __metadata__?: Record<string, string> };
  const dataStart = 8 + Buffer.byteLength(json, 'utf8');
  for (const [name, e] of Object.entries(rest) as [string, SafetensorsEntry][]) {
    if (!e || !Array.isArray(e.shape) || !Array.isArray(e.data_offsets) || !(e.dtype in BYTES)) {
      throw new InputError(`${file}: tensor "${name}": expected {dtype, shape, data_offsets} with a known dtype`);
    }
    const n = e.shape.reduce((p, d) => p * d, 1);
    if (e.data_offsets[1] - e.data_offsets[0] !== n * BYTES[e.dtype] || dataStart + e.data_offsets[1] > fileSize) {
      throw new InputError(`${file}: tensor "${name}": data size does not match shape [${e.shape}] (file truncated?)`);
    }
  }
  return { tensors: rest as Record<string, SafetensorsEntry>, metadata: __metadata__ ?? {}, dataStart };
}

export async function readSafetensorsHeader(file: string): Promise<SafetensorsHeader> {
  const fh = await open(file, 'r').catch(() => {
    throw new InputError(`${file}: not found`);
  });
  try {
    const { size } = await fh.stat();
    const lenBuf = Buffer.alloc(8);
    await fh.read(lenBuf, 0, 8, 0);
    const len = Number(lenBuf.readBigUInt64LE(0));
    if (size < 8 || len > size - 8 || len > 100_000_000)
      throw new InputError(`${file}: not a safetensors file (bad header length)`);
    const hb = Buffer.alloc(len);
    await fh.read(hb, 0, len, 8);
    return parseHeader(file, hb.toString('utf8'), size);
  } finally {
    await fh.close();
  }
}

/** bfloat16 → float32 (the upper half of a float32). */
export function bf16ToFloat32(src: Uint16Array): Float32Array {
  const u = new Uint32Array(src.length);
  for (let k = 0; k < src.length; k++) u[k] = src[k] << 16;
  return new Float32Array(u.buffer);
}

/** IEEE half → float32. */
export function f16ToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let k = 0; k < src.length; k++) {
    const h = src[k];
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const f = h & 0x3ff;
    out[k] =
      e === 0
        ? s * 2 ** -14 * (f / 1024)
        : e === 31
          ? f
            ? Number.NaN
            : s * Number.POSITIVE_INFINITY
          : s * 2 ** (e - 15) * (1 + f / 1024);
  }
  return out;
}

function toTyped(dtype: string, bytes: Uint8Array): { dtype: DType; data: TypedArray } {
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (dtype) {
    case 'F32':
      return { dtype: 'float32', data: new Float32Array(buf) };
    case 'F64':
      return { dtype: 'float64', data: new Float64Array(buf) };
    case 'F16':
      return { dtype: 'float16', data: new Uint16Array(buf) };
    case 'BF16':
      return { dtype: 'float32', data: bf16ToFloat32(new Uint16Array(buf)) };
    case 'I64':
      return { dtype: 'int64', data: new BigInt64Array(buf) };
    case 'I32':
      return { dtype: 'int32', data: new Int32Array(buf) };
    default:
      return { dtype: FROM_ST[dtype] ?? 'uint8', data: new Uint8Array(buf) };
  }
}

/**
 * Reads tensors (all, or those named) from a safetensors file. BF16 is widened to float32 here;
 * F16 stays as raw half bits (dtype float16).
 */
export async function loadSafetensors(
  file: string,
  names?: string[],
): Promise<{ tensors: Map<string, HostTensor>; metadata: Record<string, string> }> {
  const header = await readSafetensorsHeader(file);
  const wanted = names ?? Object.keys(header.tensors);
  const tensors = new Map<string, HostTensor>();
  if (names === undefined) {
    const all = await readFile(file);
    for (const name of wanted) {
      const e = header.tensors[name];
      const bytes = all.subarray(header.dataStart + e.data_offsets[0], header.dataStart + e.data_offsets[1]);
      tensors.set(name, { dims: e.shape, ...toTyped(e.dtype, bytes) });
    }
    return { tensors, metadata: header.metadata };
  }
  const fh = await open(file, 'r');
  try {
    for (const name of wanted) {
      const e = header.tensors[name];
      if (!e) throw new InputError(`${file}: no tensor named "${name}"`);
      const bytes = Buffer.alloc(e.data_offsets[1] - e.data_offsets[0]);
      await fh.read(bytes, 0, bytes.length, header.dataStart + e.data_offsets[0]);
      tensors.set(name, { dims: e.shape, ...toTyped(e.dtype, bytes) });
    }
  } finally {
    await fh.close();
  }
  return { tensors, metadata: header.metadata };
}

/** Largest piece handed to one write call (keeps each Buffer view well below platform limits). */
const WRITE_CHUNK = 64 * 1024 * 1024;

/**
 * The same bytes as `encodeSafetensors`, written tensor by tensor from the caller's arrays instead
 * of assembling one buffer first (exports with millions of rows, multi-GB model weights). The file
 * is written in place: callers write into a temporary name or folder and rename it.
 */
export async function writeSafetensorsStreaming(
  file: string,
  tensors: Map<string, HostTensor> | Record<string, HostTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const { entries, prefix } = safetensorsLayout(tensors, metadata);

  const fh = await open(file, 'w');
  try {
    let position = 0;
    const writeAll = async (bytes: Uint8Array) => {
      for (let at = 0; at < bytes.length; ) {
        const piece = bytes.subarray(at, Math.min(bytes.length, at + WRITE_CHUNK));
        const { bytesWritten } = await fh.write(piece, 0, piece.length, position);
        at += bytesWritten;
        position += bytesWritten;
      }
    };
    await writeAll(prefix);
    for (const [, t] of entries) await writeAll(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    await fh.sync();
  } finally {
    await fh.close();
  }
}
