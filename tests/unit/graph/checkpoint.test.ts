import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import { loadCheckpoint, saveCheckpoint } from '../../../electron/engine/graph/checkpoint.ts';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import {
  encodeSafetensors,
  loadSafetensors,
  readSafetensorsHeader,
  saveSafetensors,
} from '../../../electron/engine/graph/safetensors.ts';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'recx-st-'));
const f32 = (dims: number[], f: (k: number) => number): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from({ length: dims.reduce((p, d) => p * d, 1) }, (_, k) => f(k)),
});

describe('safetensors', () => {
  it('round-trips float32/float64/int64 tensors and metadata, names sorted, data 8-byte aligned', async () => {
    const file = path.join(tmp(), 'a.safetensors');
    const tensors = {
      'b.weight': f32([2, 3], (k) => k / 3),
      'a.bias': { dtype: 'float64' as const, dims: [2], data: Float64Array.of(Math.PI, -1e-300) },
      ids: { dtype: 'int64' as const, dims: [3], data: BigInt64Array.of(1n, -2n, 2n ** 40n) },
    };
    await saveSafetensors(file, tensors, { format: 'pt' });
    const header = await readSafetensorsHeader(file);
    expect(Object.keys(header.tensors)).toEqual(['a.bias', 'b.weight', 'ids']);
    expect(header.dataStart % 8).toBe(0);
    const { tensors: back, metadata } = await loadSafetensors(file);
    expect(metadata).toEqual({ format: 'pt' });
    for (const [k, t] of Object.entries(tensors)) {
      expect(back.get(k)?.dims).toEqual(t.dims);
      expect(Array.from(back.get(k)!.data as ArrayLike<number>)).toEqual(Array.from(t.data as ArrayLike<number>));
    }
    const some = await loadSafetensors(file, ['ids']);
    expect([...some.tensors.keys()]).toEqual(['ids']);
  });

  it('decodes BF16 (widened to float32) and rejects damaged files with the file name', async () => {
    const dir = tmp();
    const header = JSON.stringify({ x: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } });
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(header.length));
    const bf = Buffer.from(new Uint16Array([0x3f80, 0xc040]).buffer); // 1.0, -3.0
    writeFileSync(path.join(dir, 'bf.safetensors'), Buffer.concat([len, Buffer.from(header), bf]));
    const { tensors } = await loadSafetensors(path.join(dir, 'bf.safetensors'));
    expect(Array.from(tensors.get('x')!.data as Float32Array)).toEqual([1, -3]);
    const good = encodeSafetensors({ w: f32([4], (k) => k) });
    writeFileSync(path.join(dir, 'cut.safetensors'), good.subarray(0, good.length - 4));
    await expect(loadSafetensors(path.join(dir, 'cut.safetensors'))).rejects.toThrow(/cut\.safetensors.*truncated/);
    writeFileSync(path.join(dir, 'junk.safetensors'), 'not a tensor file at all');
    await expect(loadSafetensors(path.join(dir, 'junk.safetensors'))).rejects.toBeInstanceOf(InputError);
  });
});

describe('checkpoints', () => {
  it('keep only the latest tensor file and load back what was saved', async () => {
    const dir = tmp();
    const params = new Map([['w', f32([2, 2], (k) => k)]]);
    const optimizer = new Map([['m.w', f32([2, 2], () => 0.5)]]);
    for (const step of [5, 10]) {
      await saveCheckpoint(dir, {
        state: { version: 1, step, tensors: '', configHash: 'abc', extra: { best: 1 } },
        params,
        optimizer,
      });
    }
    expect(readdirSync(dir).sort()).toEqual(['checkpoint-0000010.safetensors', 'state.json']);
    const ck = await loadCheckpoint(dir);
    expect(ck?.state).toMatchObject({ step: 10, configHash: 'abc', extra: { best: 1 } });
    expect(Array.from(ck!.params.get('w')!.data as Float32Array)).toEqual([0, 1, 2, 3]);
    expect(Array.from(ck!.optimizer.get('m.w')!.data as Float32Array)).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(await loadCheckpoint(tmp())).toBeNull();
  });
});
