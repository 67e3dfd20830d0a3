/**
 * Loading and saving Hugging Face model folders: F32, sharded BF16, F16; errors naming the file and
 * tensor; a saved folder reads back (and, with RECX_REF_PYTHON set to a Python with transformers,
 * loads in transformers with the reference logits: gen_llm_fixtures.py --check-saved).
 */
import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { f16ToFloat32, loadSafetensors, saveSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { loadHfModelDir, readHfConfig, saveHfModelDir } from '../../../electron/engine/llm/hf-model-dir.ts';
import { fixtureDir } from './llm-fixtures.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'recx-hf-dir-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

async function copyFixture(name: string, as: string): Promise<string> {
  const dir = path.join(tmp, as);
  await cp(fixtureDir(name), dir, { recursive: true });
  return dir;
}

/** float32 → IEEE half bits, round to nearest even (normal range; tiny values flush to zero). */
function toHalfBits(x: number): number {
  const u = new Uint32Array(Float32Array.of(x).buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  const e = ((u >>> 23) & 0xff) - 112;
  if (e <= 0) return sign;
  if (e >= 31) return sign | 0x7c00;
  let h = sign | (e << 10) | ((u & 0x7fffff) >>> 13);
  const rest = u & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && h & 1)) h++;
  return h;
}

describe('loadHfModelDir', () => {
  it('loads F32 weights exactly, with the config and EOS ids', async () => {
    const dir = fixtureDir('tiny-llama-f32');
    const model = await loadHfModelDir(dir);
    expect(model.modelType).toBe('llama');
    expect(model.config).toMatchObject({
      vocabSize: 96,
      hidden: 32,
      layers: 2,
      heads: 4,
      kvHeads: 2,
      tieEmbeddings: false,
    });
    expect(model.config.ropeScaling?.type).toBe('llama3');
    expect(model.eosTokenIds).toEqual([2]);
    expect(model.weights.size).toBe(1 + 2 * 9 + 2);
    const raw = (await loadSafetensors(path.join(dir, 'model.safetensors'))).tensors;
    for (const [name, t] of model.weights) {
      expect(t.dtype).toBe('float32');
      expect(t.data).toEqual(raw.get(name)!.data);
    }
  });

  it('loads sharded BF16 weights widened to float32', async () => {
    const f32 = (await loadHfModelDir(fixtureDir('tiny-llama-f32'))).weights;
    const bf16 = await loadHfModelDir(fixtureDir('tiny-llama-bf16'));
    for (const [name, t] of bf16.weights) {
      const a = t.data as Float32Array;
      const b = f32.get(name)!.data as Float32Array;
      for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k])).toBeLessThanOrEqual(Math.abs(b[k]) * 2 ** -8);
      // bf16 values: the low 16 bits of each float32 are zero
      expect(new Uint32Array(a.buffer, a.byteOffset, a.length).every((u) => (u & 0xffff) === 0)).toBe(true);
    }
  });

  it('loads F16 weights widened to float32; Qwen2 biases and a tied head', async () => {
    const dir = await copyFixture('tiny-qwen2', 'qwen-f16');
    const f32 = (await loadSafetensors(path.join(dir, 'model.safetensors'))).tensors;
    const half = new Map<string, HostTensor>();
    for (const [name, t] of f32)
      half.set(name, { dtype: 'float16', dims: t.dims, data: Uint16Array.from(t.data as Float32Array, toHalfBits) });
    await saveSafetensors(path.join(dir, 'model.safetensors'), half, { format: 'pt' });
    const model = await loadHfModelDir(dir);
    expect(model.modelType).toBe('qwen2');
    expect(model.weights.has('lm_head.weight')).toBe(false);
    expect(model.weights.get('model.layers.0.self_attn.q_proj.bias')!.dims).toEqual([32]);
    for (const [name, t] of model.weights) {
      expect(t.dtype).toBe('float32');
      expect(t.data).toEqual(f16ToFloat32(half.get(name)!.data as Uint16Array));
    }
  });
});

describe('loadHfModelDir errors name the file and tensor', () => {
  it('missing or corrupt config.json', async () => {
    const dir = await copyFixture('tiny-llama-f32', 'no-config');
    await rm(path.join(dir, 'config.json'));
    await expect(loadHfModelDir(dir)).rejects.toThrow(`${path.join(dir, 'config.json')}: not found`);
    await writeFile(path.join(dir, 'config.json'), '{"model_type": "llama", ');
    await expect(loadHfModelDir(dir)).rejects.toThrow(`${path.join(dir, 'config.json')}: not valid JSON`);
    await writeFile(path.join(dir, 'config.json'), JSON.stringify({ model_type: 'llama', vocab_size: 96 }));
    await expect(loadHfModelDir(dir)).rejects.toThrow(/config\.json: field "num_attention_heads"/);
  });

  it('missing shard, missing weights', async () => {
    const dir = await copyFixture('tiny-llama-bf16', 'no-shard');
    await rm(path.join(dir, 'model-00002-of-00003.safetensors'));
    const err = await loadHfModelDir(dir).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(
      `${path.join(dir, 'model-00002-of-00003.safetensors')}: shard listed in ${path.join(dir, 'model.safetensors.index.json')} is missing`,
    );
    await rm(path.join(dir, 'model.safetensors.index.json'));
    await expect(loadHfModelDir(dir)).rejects.toThrow(/no model\.safetensors or model\.safetensors\.index\.json/);
  });

  it('tensor missing or of the wrong shape', async () => {
    const dir = await copyFixture('tiny-llama-f32', 'bad-tensor');
    const file = path.join(dir, 'model.safetensors');
    const tensors = (await loadSafetensors(file)).tensors;
    tensors.delete('model.layers.1.mlp.up_proj.weight');
    await saveSafetensors(file, tensors);
    await expect(loadHfModelDir(dir)).rejects.toThrow(
      `${file}: tensor "model.layers.1.mlp.up_proj.weight" (expected shape [64, 32]) is missing`,
    );
    tensors.set('model.layers.1.mlp.up_proj.weight', {
      dtype: 'float32',
      dims: [32, 64],
      data: new Float32Array(2048),
    });
    await saveSafetensors(file, tensors);
    await expect(loadHfModelDir(dir)).rejects.toThrow(
      `${file}: tensor "model.layers.1.mlp.up_proj.weight": expected shape [64, 32], got [32, 64]`,
    );
  });

  it('corrupt or truncated safetensors', async () => {
    const dir = await copyFixture('tiny-llama-f32', 'corrupt');
    const file = path.join(dir, 'model.safetensors');
    await truncate(file, 50_000);
    await expect(loadHfModelDir(dir)).rejects.toThrow(`${file}: tensor`);
    await expect(loadHfModelDir(dir)).rejects.toThrow(/file truncated/);
    await writeFile(file, Buffer.from('this is not a safetensors file at all'));
    await expect(loadHfModelDir(dir)).rejects.toThrow(`${file}: not a safetensors file`);
  });
});

const script = fileURLToPath(new URL('../../fixtures/gen_llm_fixtures.py', import.meta.url));
const python = process.env.RECX_REF_PYTHON;

describe('saveHfModelDir', () => {
  it.each([
    ['tiny-llama-f32', 'tiny-llama-f32'],
    ['tiny-qwen2', 'tiny-qwen2'],
    ['tiny-llama-bf16', 'tiny-llama-bf16'],
  ])('saves %s as a folder that loads back identically', async (name, refCase) => {
    const model = await loadHfModelDir(fixtureDir(name));
    // Saving over a copy of the fixture: a sharded index and its shards are replaced.
    const dir = await copyFixture(name, `saved-${name}`);
    await saveHfModelDir(dir, model.config, model.weights, { eosTokenIds: model.eosTokenIds, bosTokenId: 1 });
    const files = (await readdir(dir)).sort();
    expect(files).toEqual(['config.json', 'generation_config.json', 'model.safetensors']);
    const config = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ torch_dtype: 'float32', eos_token_id: 2, bos_token_id: 1 });
    expect(config.model_type).toBe(name === 'tiny-qwen2' ? 'qwen2' : 'llama');
    const { metadata } = await loadSafetensors(path.join(dir, 'model.safetensors'), []);
    expect(metadata).toEqual({ format: 'pt' });
    const back = await loadHfModelDir(dir);
    expect(back.config).toEqual({ ...model.config, headDim: 8 });
    for (const [k, t] of model.weights) expect(back.weights.get(k)!.data).toEqual(t.data);
    expect((await readHfConfig(dir)).eosTokenIds).toEqual([2]);
    if (python) {
      const run = spawnSync(python, [script, '--check-saved', dir, '--case', refCase], {
        encoding: 'utf8',
        env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE', OMP_NUM_THREADS: '1' },
      });
      expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    }
  });

  it('refuses weights that do not fit the config', async () => {
    const model = await loadHfModelDir(fixtureDir('tiny-llama-f32'));
    model.weights.delete('model.norm.weight');
    await expect(saveHfModelDir(path.join(tmp, 'bad'), model.config, model.weights)).rejects.toThrow(
      /tensor "model\.norm\.weight" \(shape \[32\]\) is missing/,
    );
  });
});
