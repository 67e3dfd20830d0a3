/**
 * LoRA (Hu et al. 2021) on the Llama graph, as PEFT applies it to nn.Linear: for each targeted
 * module, y = x·Wᵀ (+ b) + (dropout(x)·Aᵀ·Bᵀ)·s with A [r, in], B [out, r], s = alpha/r (alpha/√r
 * with rsLoRA). A starts kaiming-uniform(a=√5), i.e. U(±1/√in), and B at zero, so training starts
 * from the base model. The base weights are frozen: graph initializers, or graph inputs left out of
 * the trainable list (fed with each run, so one compiled graph can serve weights held elsewhere).
 *
 * Names: the LoRA tensors of module `model.layers.0.self_attn.q_proj` are the graph inputs
 * `model.layers.0.self_attn.q_proj.lora_A.weight` / `.lora_B.weight`; the PEFT adapter file holds
 * them under `base_model.model.` + that name (llm/peft-adapter.ts).
 *
 * Not here: PEFT's other tuners and options (DoRA, per-module rank/alpha patterns, LoRA biases,
 * LoRA on embeddings), and adapters on models other than the Llama family.
 *
 * Shapes: B batch, T time, I in features, O out features, R rank, V vocab.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';
import { Graph, type HostTensor, numel, type Value } from '../graph/graph.ts';
import * as op from '../graph/ops/index.ts';
import type { ParamGroup } from '../graph/optimizer.ts';
import { f16ToFloat32 } from '../graph/safetensors.ts';
import type { ModelBuilder, TrainableModel } from '../graph/train-step.ts';
import { Rng } from '../random.ts';
import { type FloatDType, linear } from './layers.ts';
import {
  buildLlamaLogits,
  causalLmLoss,
  type LlamaConfig,
  type LlamaParams,
  llamaParamSpecs,
  type Projection,
} from './llama.ts';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

const MODULE_PATH: Record<LoraTarget, string> = {
  q_proj: 'self_attn.q_proj',
  k_proj: 'self_attn.k_proj',
  v_proj: 'self_attn.v_proj',
  o_proj: 'self_attn.o_proj',
  gate_proj: 'mlp.gate_proj',
  up_proj: 'mlp.up_proj',
  down_proj: 'mlp.down_proj',
};

export const loraConfigSchema = z.object({
  r: z.number().int().positive(),
  alpha: z.number().positive(),
  /** Dropout on the LoRA branch's input (training only). */
  dropout: z.number().min(0).lt(1),
  targetModules: z.array(z.enum(LORA_TARGETS)).min(1),
  /** rsLoRA scaling alpha/√r instead of alpha/r (PEFT `use_rslora`). */
  rslora: z.boolean().default(false),
});
export type LoraConfig = z.infer<typeof loraConfigSchema>;

/** PEFT's defaults (r 8, alpha 8, no dropout; q_proj and v_proj, PEFT's choice for Llama) under `overrides`. */
export function loraConfig(overrides: Partial<LoraConfig> = {}): LoraConfig {
  const parsed = loraConfigSchema.safeParse({
    r: 8,
    alpha: 8,
    dropout: 0,
    targetModules: ['q_proj', 'v_proj'],
    ...overrides,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(`lora config: ${issue.path.join('.')}: ${issue.message}`);
  }
  // canonical order, no duplicates: configs that mean the same compare (and serialise) equal
  const targets = LORA_TARGETS.filter((t) => parsed.data.targetModules.includes(t));
  return { ...parsed.data, targetModules: targets };
}

/** The factor s of the low-rank update. */
export function loraScale(cfg: LoraConfig): number {
  return cfg.rslora ? cfg.alpha / Math.sqrt(cfg.r) : cfg.alpha / cfg.r;
}

export interface LoraModule {
  /** HF module path, e.g. `model.layers.0.self_attn.q_proj`. */
  module: string;
  layer: number;
  target: LoraTarget;
  inFeatures: number;
  outFeatures: number;
}

/** Graph input (and checkpoint) names of a module's LoRA matrices. */
export function loraParamNames(module: string): { a: string; b: string } {
  return { a: `${module}.lora_A.weight`, b: `${module}.lora_B.weight` };
}

/** The targeted modules, by layer, then in LORA_TARGETS order. */
export function loraModules(cfg: LoraConfig, llama: LlamaConfig): LoraModule[] {
  const dims = new Map(llamaParamSpecs(llama).map((s) => [s.name, s.dims]));
  const out: LoraModule[] = [];
  for (let layer = 0; layer < llama.layers; layer++) {
    for (const target of LORA_TARGETS) {
      if (!cfg.targetModules.includes(target)) continue;
      const module = `model.layers.${layer}.${MODULE_PATH[target]}`;
      const [o, i] = dims.get(`${module}.weight`)!;
      out.push({ module, layer, target, inFeatures: i, outFeatures: o });
    }
  }
  return out;
}

/** Every LoRA tensor's name and dims: A [R, I], B [O, R]. */
export function loraParamShapes(cfg: LoraConfig, llama: LlamaConfig): { name: string; dims: number[] }[] {
  return loraModules(cfg, llama).flatMap((m) => {
    const n = loraParamNames(m.module);
    return [
      { name: n.a, dims: [cfg.r, m.inFeatures] },
      { name: n.b, dims: [m.outFeatures, cfg.r] },
    ];
  });
}

/**
 * PEFT's initialisation: A ~ U(±1/√I) (kaiming_uniform_ with a=√5), B = 0. Each A draws from its
 * own stream `new Rng(seed).fork(name)`, so changing the targets never changes the others.
 */
export function initLoraParams(
  cfg: LoraConfig,
  llama: LlamaConfig,
  seed: number,
  dtype: FloatDType = 'float32',
): Map<string, HostTensor> {
  const out = new Map<string, HostTensor>();
  for (const { name, dims } of loraParamShapes(cfg, llama)) {
    const data = dtype === 'float64' ? new Float64Array(numel(dims)) : new Float32Array(numel(dims));
    if (name.endsWith('.lora_A.weight')) {
      const bound = 1 / Math.sqrt(dims[1]);
      const rng = new Rng(seed).fork(name);
      for (let k = 0; k < data.length; k++) data[k] = (2 * rng.next() - 1) * bound;
    }
    out.set(name, { dtype, dims: [...dims], data });
  }
  return out;
}

/** Throws an InputError naming the first LoRA tensor that is missing, unexpected or mis-shaped. */
export function validateLoraWeights(cfg: LoraConfig, llama: LlamaConfig, weights: Map<string, HostTensor>): void {
  const shapes = loraParamShapes(cfg, llama);
  for (const { name, dims } of shapes) {
    const t = weights.get(name);
    if (!t) throw new InputError(`LoRA weights: missing ${name}`);
    if (t.dims.join(',') !== dims.join(','))
      throw new InputError(`LoRA weights: ${name} has shape [${t.dims}], the model needs [${dims}]`);
  }
  const known = new Set(shapes.map((s) => s.name));
  const extra = [...weights.keys()].find((k) => !known.has(k));
  if (extra) throw new InputError(`LoRA weights: ${extra} is not a LoRA tensor of this configuration`);
}

/** Dropout sites of the LoRA branches (one per module, in declaration order), apart from other dropout. */
const SITE_BASE = 1000;

/**
 * The Projection (see llama.ts) adding the LoRA update to the targeted modules; others stay plain.
 * `dropoutSeed` null (evaluation) disables the dropout.
 */
export function loraProjection(cfg: LoraConfig, lora: Record<string, Value>, dropoutSeed: Value | null): Projection {
  const scale = loraScale(cfg);
  const aNames = Object.keys(lora).filter((n) => n.endsWith('.lora_A.weight'));
  const sites = new Map(aNames.map((n, k) => [n, SITE_BASE + k]));
  return (module, x, weight, bias) => {
    const y = linear(x, weight, bias); // [B, T, O]
    const n = loraParamNames(module);
    const a = lora[n.a];
    if (!a) return y;
    const xd = op.dropout(x, cfg.dropout, dropoutSeed, sites.get(n.a)!); // [B, T, I]
    const low = linear(linear(xd, a), lora[n.b]); // [B, T, R] → [B, T, O]
    return op.add(y, op.mul(low, scale));
  };
}

/** Frozen base weights: baked into the graph, or graph inputs the caller feeds with each run. */
export type FrozenBase = { kind: 'initializers'; weights: Map<string, HostTensor> } | { kind: 'inputs' };

export interface LoraLlamaOptions {
  dtype?: FloatDType;
  base: FrozenBase;
  /** Declares `dropout_seed` and enables LoRA dropout (when cfg.dropout > 0). */
  train?: boolean;
  /** Base weights trained in full rather than frozen (e.g. `lm_head.weight`): always graph inputs. */
  trainBase?: string[];
}

export interface LoraLlama {
  /** Every base weight by HF key (initializers or inputs). */
  base: LlamaParams;
  /** LoRA matrices by name (graph inputs). */
  lora: Record<string, Value>;
  /** The base weights in `trainBase`. */
  trainedBase: Value[];
  project: Projection;
  dropoutSeed: Value | null;
}

function asFloat(t: HostTensor, dtype: FloatDType): HostTensor {
  if (t.dtype === dtype) return t;
  if (t.dtype !== 'float16' && t.dtype !== 'float32' && t.dtype !== 'float64')
    throw new InputError(`base weights: expected floating-point tensors, got ${t.dtype}`);
  const src = t.dtype === 'float16' ? f16ToFloat32(t.data as Uint16Array) : (t.data as Float32Array | Float64Array);
  return { dtype, dims: t.dims, data: dtype === 'float64' ? Float64Array.from(src) : Float32Array.from(src) };
}

/** Declares the base weights (frozen unless in `trainBase`), the LoRA inputs and the projection. */
export function declareLoraLlama(g: Graph, cfg: LoraConfig, llama: LlamaConfig, opts: LoraLlamaOptions): LoraLlama {
  const dtype = opts.dtype ?? 'float32';
  const trainBase = new Set(opts.trainBase ?? []);
  const base: LlamaParams = {};
  const trainedBase: Value[] = [];
  const specs = llamaParamSpecs(llama);
  for (const name of trainBase)
    if (!specs.some((s) => s.name === name)) throw new InputError(`trainBase: the model has no weight ${name}`);
  for (const s of specs) {
    if (opts.base.kind === 'inputs' || trainBase.has(s.name)) {
      base[s.name] = g.input(s.name, dtype, s.dims);
      if (trainBase.has(s.name)) trainedBase.push(base[s.name]);
      continue;
    }
    const t = opts.base.weights.get(s.name);
    if (!t) throw new InputError(`base weights: missing ${s.name}`);
    if (t.dims.join(',') !== s.dims.join(','))
      throw new InputError(`base weights: ${s.name} has shape [${t.dims}], the config needs [${s.dims}]`);
    base[s.name] = g.initializer(s.name, asFloat(t, dtype));
  }
  const lora: Record<string, Value> = {};
  for (const { name, dims } of loraParamShapes(cfg, llama)) lora[name] = g.input(name, dtype, dims);
  for (const [name, v] of [...Object.entries(base), ...Object.entries(lora)])
    if (v.name !== name) throw new Error(`parameter name ${name} is already taken in graph ${g.name}`);
  const dropoutSeed = opts.train && cfg.dropout > 0 ? g.input('dropout_seed', 'float32', []) : null;
  return { base, lora, trainedBase, project: loraProjection(cfg, lora, dropoutSeed), dropoutSeed };
}

/**
 * Whether HF Trainer decays a parameter (Trainer.get_decay_parameter_names): every parameter except
 * biases and norms, matched on the lower-cased name; LoRA A and B both decay.
 */
export function hfDecays(name: string): boolean {
  const n = name.toLowerCase();
  return ![/bias/, /layernorm/, /rmsnorm/, /(?:^|\.)norm(?:$|\.)/, /_norm(?:$|\.)/].some((re) => re.test(n));
}

/**
 * The trainable list for TrainStep: LoRA matrices plus any extras the caller declared (trained base
 * weights, projectors, new token rows), grouped `decay` / `no_decay` by HF Trainer's rule.
 */
export function trainableParamGroups(values: Value[], weightDecay: number): { value: Value; group: ParamGroup }[] {
  const decay: ParamGroup = { name: 'decay', weightDecay };
  const noDecay: ParamGroup = { name: 'no_decay', weightDecay: 0 };
  return values.map((value) => ({ value, group: hfDecays(value.name) ? decay : noDecay }));
}

export interface LoraCausalLmOptions extends Omit<LoraLlamaOptions, 'train'> {
  /** AdamW weight decay of the decaying group. Default 0, as HF TrainingArguments. */
  weightDecay?: number;
}

/**
 * The causal-LM training graph with LoRA: inputs `input_ids`, `labels` (int64 [B, T]), the LoRA
 * matrices, the trained base weights, `dropout_seed` when training with dropout, and the base
 * weights when they are inputs; trainable: LoRA (+ trainBase). Scalar loss.
 */
export function buildLoraCausalLm(
  cfg: LoraConfig,
  llama: LlamaConfig,
  opts: LoraCausalLmOptions & { train?: boolean },
): TrainableModel {
  const g = new Graph('llama_lora_causal_lm');
  const m = declareLoraLlama(g, cfg, llama, opts);
  const inputIds = g.input('input_ids', 'int64', ['B', 'T']);
  const labels = g.input('labels', 'int64', ['B', 'T']);
  const logits = buildLlamaLogits(llama, m.base, inputIds, { project: m.project }); // [B, T, V]
  const trainable = [...Object.values(m.lora), ...m.trainedBase];
  return {
    graph: g,
    loss: causalLmLoss(logits, labels),
    params: trainableParamGroups(trainable, opts.weightDecay ?? 0),
  };
}

/** A ModelBuilder for TrainStep.create. */
export function loraCausalLmBuilder(cfg: LoraConfig, llama: LlamaConfig, opts: LoraCausalLmOptions): ModelBuilder {
  return ({ train }) => buildLoraCausalLm(cfg, llama, { ...opts, train });
}

/**
 * Base weights with the adapter folded in: W' = W + s·B·A (in float64, rounded once to W's dtype)
 * for each module in `lora`; the other tensors are the base's own objects, not copies.
 */
export function mergeLoraWeights(
  cfg: LoraConfig,
  base: Map<string, HostTensor>,
  lora: Map<string, HostTensor>,
): Map<string, HostTensor> {
  const out = new Map(base);
  const scale = loraScale(cfg);
  for (const [name, a] of lora) {
    if (!name.endsWith('.lora_A.weight')) continue;
    const module = name.slice(0, -'.lora_A.weight'.length);
    const b = lora.get(loraParamNames(module).b);
    const w = base.get(`${module}.weight`);
    if (!b || !w) throw new InputError(`merge: ${module} needs lora_B and the base weight`);
    const [r, nIn] = a.dims;
    const nOut = w.dims[0];
    if (w.dims[1] !== nIn || b.dims[0] !== nOut || b.dims[1] !== r)
      throw new InputError(`merge: ${module}: shapes W [${w.dims}], A [${a.dims}], B [${b.dims}] do not fit`);
    if (w.dtype !== 'float32' && w.dtype !== 'float64') throw new InputError(`merge: ${module}: base is ${w.dtype}`);
    const [wd, ad, bd] = [w.data, a.data, b.data] as Float64Array[];
    const merged = w.dtype === 'float64' ? new Float64Array(wd.length) : new Float32Array(wd.length);
    for (let o = 0; o < nOut; o++) {
      for (let i = 0; i < nIn; i++) {
        let acc = 0;
        for (let k = 0; k < r; k++) acc += bd[o * r + k] * ad[k * nIn + i];
        merged[o * nIn + i] = wd[o * nIn + i] + scale * acc;
      }
    }
    out.set(`${module}.weight`, { dtype: w.dtype, dims: [...w.dims], data: merged });
  }
  return out;
}
