/**
 * Writes a safetensors file tensor by tensor from the caller's arrays instead of assembling one
 * buffer first (graph/safetensors.ts `encodeSafetensors`), so an export of millions of anchors
 * with user vectors needs no second copy in memory. Same bytes as `encodeSafetensors`: names
 * sorted, header padded with spaces to 8-byte alignment. The file is written in place; callers
 * make it atomic by writing into a folder swapped in with replaceDirAtomic.
 */
import { open } from 'node:fs/promises';
import type { DType, HostTensor } from '../../graph/graph.ts';

const ST_DTYPE: Partial<Record<DType, string>> = {
  float32: 'F32',
  float64: 'F64',
  int64: 'I64',
  int32: 'I32',
  uint8: 'U8',
  bool: 'BOOL',
};

/** Largest piece handed to one write call (keeps each Buffer view well below platform limits). */
const WRITE_CHUNK = 64 * 1024 * 1024;

export async function writeSafetensorsStreaming(
  file: string,
  tensors: Record<string, HostTensor>,
  metadata: Record<string, string> = {},
): Promise<void> {
  const entries = Object.entries(tensors).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of entries) {
    const st = ST_DTYPE[t.dtype];
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
