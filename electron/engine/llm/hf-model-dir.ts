/**
 * Hugging Face model folders of the Llama family: load (config.json + safetensors weights, single
 * or sharded, F32/F16/BF16 → float32 host tensors) and save (config.json + one F32
 * model.safetensors that transformers' from_pretrained loads). Tokenizers are not read here.
 * Errors name the file, and the tensor and its expected shape where one is at fault.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { type LlamaConfig, llamaParamSpecs } from '../models/llama-config.ts';
import {
  type HfConfigTokens,
  type HfLlamaConfig,
  llamaConfigFromHf,
  llamaConfigToHf,
} from '../models/llama-hf-config.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import {
  INDEX_FILE,
  indexHfWeights,
  readWeight,
  SINGLE_FILE,
  weightEntry,
  writeSafetensorsAtomic,
} from './hf-weights.ts';

export const CONFIG_FILE = 'config.json';
const GENERATION_CONFIG_FILE = 'generation_config.json';

export interface HfModelConfig extends HfLlamaConfig {
  /** config.json as read. */
  raw: Record<string, unknown>;
}

async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    if (!required) return undefined;
    throw new InputError(`${file}: not found (a Hugging Face model folder needs ${CONFIG_FILE})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

/**
 * Reads `dir/config.json`; EOS ids also come from generation_config.json when present (chat
 * models list their end-of-turn tokens there).
 */
export async function readHfConfig(dir: string): Promise<HfModelConfig> {
  const file = path.join(dir, CONFIG_FILE);
  const raw = await readJson(file, true);
  const parsed = llamaConfigFromHf(raw, file);
  const gen = (await readJson(path.join(dir, GENERATION_CONFIG_FILE), false).catch(() => undefined)) as
    | Record<string, unknown>
    | undefined;
  const genEos = gen?.eos_token_id;
  for (const id of Array.isArray(genEos) ? genEos : [genEos])
    if (typeof id === 'number' && Number.isInteger(id) && !parsed.eosTokenIds.includes(id)) parsed.eosTokenIds.push(id);
  return { ...parsed, raw: raw as Record<string, unknown> };
}

export interface HfModel extends HfModelConfig {
  dir: string;
  /** float32 weights by HF key, exactly the parameters of `config` (llamaParamSpecs). */
  weights: Map<string, HostTensor>;
}

export interface LoadHfOptions {
  /** Called after each tensor is read (k of n), for progress display. */
  onTensor?: (name: string, k: number, n: number) => void;
}

/**
 * Loads a model folder. Every tensor's presence, shape and dtype is checked from the headers
 * before any data is read; extra tensors (a tied lm_head, rotary buffers) are ignored.
 */
export async function loadHfModelDir(dir: string, opts: LoadHfOptions = {}): Promise<HfModel> {
  const hf = await readHfConfig(dir);
  const index = await indexHfWeights(dir);
  const specs = llamaParamSpecs(hf.config);
  for (const s of specs) weightEntry(index, s.name, s.dims);
  const weights = new Map<string, HostTensor>();
  for (const [k, s] of specs.entries()) {
    weights.set(s.name, await readWeight(index, s.name, s.dims));
    opts.onTensor?.(s.name, k + 1, specs.length);
  }
  return { ...hf, dir, weights };
}

/**
 * Writes config.json and model.safetensors (F32, HF keys, `__metadata__.format = "pt"`) into
 * `dir`, replacing any earlier weights there (a sharded index and its shards are removed); other
 * files (tokenizer) are left alone.
 */
export async function saveHfModelDir(
  dir: string,
  cfg: LlamaConfig,
  weights: Map<string, HostTensor>,
  tokens: HfConfigTokens = {},
): Promise<void> {
  const config = llamaConfigToHf(cfg, tokens);
  const out = new Map<string, HostTensor>();
  for (const s of llamaParamSpecs(cfg)) {
    const t = weights.get(s.name);
    if (!t) throw new InputError(`saving ${dir}: tensor "${s.name}" (shape [${s.dims}]) is missing`);
    if (t.dtype !== 'float32' || t.dims.length !== s.dims.length || t.dims.some((d, k) => d !== s.dims[k]))
      throw new InputError(
        `saving ${dir}: tensor "${s.name}": expected float32 [${s.dims}], got ${t.dtype} [${t.dims}]`,
      );
    out.set(s.name, t);
  }
  await mkdir(dir, { recursive: true });
  const indexPath = path.join(dir, INDEX_FILE);
  const oldIndex = (await readJson(indexPath, false).catch(() => undefined)) as
    | { weight_map?: Record<string, string> }
    | undefined;
  await writeSafetensorsAtomic(path.join(dir, SINGLE_FILE), out, { format: 'pt' });
  if (oldIndex) {
    const shards = new Set(Object.values(oldIndex.weight_map ?? {}));
    for (const f of shards) if (f !== SINGLE_FILE) await rm(path.join(dir, path.basename(f)), { force: true });
    await rm(indexPath, { force: true });
  }
  await writeFileAtomic(path.join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
}
