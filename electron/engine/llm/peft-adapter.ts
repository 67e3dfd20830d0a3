/**
 * LoRA adapters in PEFT's on-disk format, so adapters trained here load with
 * `PeftModel.from_pretrained(base, dir)` and PEFT adapters load here:
 *   adapter_config.json        LoraConfig fields (peft_type LORA, r, lora_alpha, target_modules, …)
 *   adapter_model.safetensors  `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight`
 *                              [out, r], float32, metadata {format: pt} as PEFT writes it
 * Export is deterministic (sorted keys, canonical target order), so export → import → export gives
 * identical bytes. Import refuses PEFT options this engine does not implement (DoRA, LoRA biases,
 * per-module rank/alpha patterns, fan_in_fan_out, layer subsets, modules_to_save) by name.
 */
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.ts';
import type { HostTensor } from '../graph/graph.ts';
import { f16ToFloat32, loadSafetensors, saveSafetensors } from '../graph/safetensors.ts';
import type { LlamaConfig } from '../models/llama.ts';
import { LORA_TARGETS, type LoraConfig, type LoraTarget, loraConfig, validateLoraWeights } from '../models/lora.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';

export const ADAPTER_CONFIG_FILE = 'adapter_config.json';
export const ADAPTER_WEIGHTS_FILE = 'adapter_model.safetensors';
/** What PEFT prefixes to module paths of a causal LM (PeftModel → LoraModel → LlamaForCausalLM). */
export const PEFT_KEY_PREFIX = 'base_model.model.';

export interface PeftAdapter {
  config: LoraConfig;
  /** LoRA tensors under graph names (`model.layers.0.self_attn.q_proj.lora_A.weight`, …). */
  weights: Map<string, HostTensor>;
  /** `base_model_name_or_path`: where PEFT looks for the base model (a hub id or a folder). */
  baseModel: string | null;
}

/** The adapter-file key of a LoRA graph name, and back. */
export const peftKey = (name: string) => PEFT_KEY_PREFIX + name;
export function graphNameOfPeftKey(key: string): string | null {
  if (!key.startsWith(PEFT_KEY_PREFIX)) return null;
  const name = key.slice(PEFT_KEY_PREFIX.length);
  return /\.lora_[AB]\.weight$/.test(name) ? name : null;
}

/** adapter_config.json's object: the fields PEFT's LoraConfig reads, set to what we implement. */
export function peftAdapterConfig(adapter: Pick<PeftAdapter, 'config' | 'baseModel'>): Record<string, unknown> {
  const c = adapter.config;
  const fields: Record<string, unknown> = {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: adapter.baseModel,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    lora_alpha: c.alpha,
    lora_bias: false,
    lora_dropout: c.dropout,
    modules_to_save: null,
    peft_type: 'LORA',
    r: c.r,
    rank_pattern: {},
    revision: null,
    target_modules: LORA_TARGETS.filter((t) => c.targetModules.includes(t)),
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: c.rslora,
  };
  return Object.fromEntries(Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function toFloat32(name: string, t: HostTensor): HostTensor {
  if (t.dtype === 'float32') return t;
  if (t.dtype === 'float16') return { dtype: 'float32', dims: t.dims, data: f16ToFloat32(t.data as Uint16Array) };
  if (t.dtype === 'float64') return { dtype: 'float32', dims: t.dims, data: Float32Array.from(t.data as Float64Array) };
  throw new InputError(`LoRA tensor ${name}: expected floating-point values, got ${t.dtype}`);
}

/** Writes adapter_model.safetensors, then adapter_config.json (creating `dir`). */
export async function savePeftAdapter(dir: string, adapter: PeftAdapter): Promise<void> {
  const tensors = new Map<string, HostTensor>();
  for (const [name, t] of adapter.weights) {
    if (!/\.lora_[AB]\.weight$/.test(name)) throw new Error(`not a LoRA tensor name: ${name}`);
    tensors.set(peftKey(name), toFloat32(name, t));
  }
  await mkdir(dir, { recursive: true });
  await saveSafetensors(path.join(dir, ADAPTER_WEIGHTS_FILE), tensors, { format: 'pt' });
  await writeFileAtomic(path.join(dir, ADAPTER_CONFIG_FILE), JSON.stringify(peftAdapterConfig(adapter), null, 2));
}

const emptyOrNull = z.union([z.record(z.string(), z.unknown()), z.null()]).optional();
const peftConfigSchema = z.looseObject({
  peft_type: z.literal('LORA'),
  r: z.number().int().positive(),
  lora_alpha: z.number().positive(),
  lora_dropout: z.number().min(0).lt(1).default(0),
  target_modules: z.union([z.array(z.string()), z.string(), z.null()]).default(null),
  bias: z.string().default('none'),
  fan_in_fan_out: z.boolean().default(false),
  use_rslora: z.boolean().default(false),
  use_dora: z.boolean().default(false),
  lora_bias: z.boolean().default(false),
  rank_pattern: emptyOrNull,
  alpha_pattern: emptyOrNull,
  layers_to_transform: z.unknown().optional(),
  layer_replication: z.unknown().optional(),
  modules_to_save: z.union([z.array(z.string()), z.null()]).optional(),
  base_model_name_or_path: z.string().nullable().default(null),
});

/** The option PEFT set that this engine cannot honour, if any. */
function unsupportedOption(c: z.infer<typeof peftConfigSchema>): string | null {
  if (c.bias !== 'none') return `bias "${c.bias}" (only "none")`;
  if (c.fan_in_fan_out) return 'fan_in_fan_out';
  if (c.use_dora) return 'use_dora';
  if (c.lora_bias) return 'lora_bias';
  if (Object.keys(c.rank_pattern ?? {}).length > 0) return 'rank_pattern';
  if (Object.keys(c.alpha_pattern ?? {}).length > 0) return 'alpha_pattern';
  if (c.layers_to_transform != null) return 'layers_to_transform';
  if (c.layer_replication != null) return 'layer_replication';
  if ((c.modules_to_save ?? []).length > 0) return 'modules_to_save';
  return null;
}

/**
 * Reads a PEFT LoRA adapter folder. The targets come from the tensors present (a regex or
 * "all-linear" `target_modules` resolves to them); a list in the config must name the same ones.
 * With `llama`, every tensor is also checked against that model's shapes.
 */
export async function loadPeftAdapter(dir: string, llama?: LlamaConfig): Promise<PeftAdapter> {
  const configFile = path.join(dir, ADAPTER_CONFIG_FILE);
  const text = await readFile(configFile, 'utf8').catch(() => {
    throw new InputError(`${configFile}: not found (not a PEFT adapter folder?)`);
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InputError(`${configFile}: not valid JSON`);
  }
  const parsed = peftConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`${configFile}: field "${issue.path.join('.')}": ${issue.message}`);
  }
  const c = parsed.data;
  const unsupported = unsupportedOption(c);
  if (unsupported) throw new InputError(`${configFile}: PEFT option ${unsupported} is not supported`);

  const weightsFile = path.join(dir, ADAPTER_WEIGHTS_FILE);
  const { tensors } = await loadSafetensors(weightsFile);
  const weights = new Map<string, HostTensor>();
  const targets = new Set<LoraTarget>();
  for (const [key, t] of tensors) {
    const name = graphNameOfPeftKey(key);
    const target = name?.split('.').at(-3) as LoraTarget | undefined;
    if (!name || !target || !LORA_TARGETS.includes(target))
      throw new InputError(`${weightsFile}: tensor "${key}" is not a LoRA matrix of a Llama projection`);
    const rankAxis = name.endsWith('.lora_A.weight') ? 0 : 1;
    if (t.dims.length !== 2 || t.dims[rankAxis] !== c.r)
      throw new InputError(`${weightsFile}: tensor "${key}" has shape [${t.dims}], not rank r = ${c.r}`);
    weights.set(name, toFloat32(key, t));
    targets.add(target);
  }
  if (Array.isArray(c.target_modules)) {
    const listed = new Set(c.target_modules.map((m) => m.split('.').at(-1)));
    const differ = [...new Set([...listed, ...targets])].filter((t) => !listed.has(t) || !targets.has(t as LoraTarget));
    if (differ.length > 0)
      throw new InputError(`${configFile}: target_modules and the tensors disagree on ${differ.join(', ')}`);
  }
  if (targets.size === 0) throw new InputError(`${weightsFile}: no LoRA tensors`);
  const config = loraConfig({
    r: c.r,
    alpha: c.lora_alpha,
    dropout: c.lora_dropout,
    rslora: c.use_rslora,
    targetModules: [...targets],
  });
  if (llama) {
    try {
      validateLoraWeights(config, llama, weights);
    } catch (e) {
      throw new InputError(`${weightsFile}: ${(e as Error).message} (does the adapter belong to this model?)`);
    }
  }
  return { config, weights, baseModel: c.base_model_name_or_path };
}
