/**
 * What a Hugging Face model folder holds, read from config.json, the safetensors headers and the
 * tokenizer files only (no weights are read), and how much memory LoRA training on it needs.
 *
 * Memory estimate (bytes; everything float32 = 4 bytes; B batch, T sequence length, L layers,
 * C hidden, H heads, K kv heads, D head dim, F intermediate, V vocab, N model parameters):
 *   weights      = 4·N                                  frozen weights, held once by the session
 *   lora         = 4·4·Σ r·(in + out)                   adapter parameters, gradients, Adam m and v
 *   activations  = 4·[L·(B·T·(7C + 5H·D + 3K·D + 4F) + 2·B·H·T²) + B·T·(2C + 2V)]
 * Per layer, what the backward pass keeps: the layer input, both norm outputs, the attention
 * output, o_proj output and residual (≈7C), q before and after RoPE, k/v repeated to H heads and
 * the attention context (5H·D), k/v before and after RoPE (3K·D), gate, SiLU(gate), up and their
 * product (4F), and the attention scores and probabilities (2·H·T² per row); at the top the final
 * norm in/out and the logits with their softmax (2C + 2V per token). Gradients in flight add about
 * one layer's worth; ORT's arena and the host copy made while building the session come on top
 * (loading briefly holds the weights twice).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { numel } from '../graph/graph.ts';
import { type LlamaConfig, llamaHeadDim, llamaParamSpecs } from '../models/llama-config.ts';
import { readHfConfig } from './hf-model-dir.ts';
import { indexHfWeights, weightEntry } from './hf-weights.ts';

export interface SpecialTokenInfo {
  id: number;
  content: string;
  special: boolean;
}

export interface LoraMemoryEstimate {
  batch: number;
  seq: number;
  loraRank: number;
  loraModules: string[];
  weightsBytes: number;
  loraBytes: number;
  activationBytes: number;
  totalBytes: number;
}

export interface LlmInfo {
  /** `architectures[0]` of config.json, else the model type. */
  architecture: string;
  modelType: string;
  parameters: number;
  /** Stored weight dtype: F32, F16, BF16, or several joined by '+'. */
  dtype: string;
  vocab: number;
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  intermediate: number;
  maxPositions: number;
  tieEmbeddings: boolean;
  bosTokenId: number | null;
  eosTokenIds: number[];
  /** Added tokens (tokenizer.json `added_tokens`, tokenizer_config.json `added_tokens_decoder`). */
  specialTokens: SpecialTokenInfo[];
  /** bos/eos/pad/unk token strings named by tokenizer_config.json. */
  specialTokenNames: Record<string, string>;
  memory: LoraMemoryEstimate;
}

export interface LlmInfoOptions {
  /** Training batch × sequence length for the memory estimate (default 8 × 256). */
  batch?: number;
  seq?: number;
  /** LoRA rank and adapted projections (default 8 on q_proj, k_proj, v_proj, o_proj). */
  loraRank?: number;
  loraModules?: string[];
}

const DEFAULT_LORA_MODULES = ['q_proj', 'k_proj', 'v_proj', 'o_proj'];

/** The formula in the header comment. */
export function estimateLoraTrainingMemory(cfg: LlamaConfig, opts: LlmInfoOptions = {}): LoraMemoryEstimate {
  const { batch: b = 8, seq: t = 256, loraRank: r = 8, loraModules = DEFAULT_LORA_MODULES } = opts;
  const specs = llamaParamSpecs(cfg);
  const params = specs.reduce((s, p) => s + numel(p.dims), 0);
  const loraParams = specs
    .filter((p) => p.dims.length === 2 && loraModules.some((m) => p.name.endsWith(`.${m}.weight`)))
    .reduce((s, p) => s + r * (p.dims[0] + p.dims[1]), 0);
  const { hidden: c, heads: h, kvHeads: k, intermediate: f, vocabSize: v, layers: l } = cfg;
  const d = llamaHeadDim(cfg);
  const perLayer = b * t * (7 * c + 5 * h * d + 3 * k * d + 4 * f) + 2 * b * h * t * t;
  const activationBytes = 4 * (l * perLayer + b * t * (2 * c + 2 * v));
  const weightsBytes = 4 * params;
  const loraBytes = 16 * loraParams;
  return {
    batch: b,
    seq: t,
    loraRank: r,
    loraModules,
    weightsBytes,
    loraBytes,
    activationBytes,
    totalBytes: weightsBytes + loraBytes + activationBytes,
  };
}

async function readJsonIfAny(file: string): Promise<Record<string, unknown> | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8'));
    return v && typeof v === 'object' ? v : null;
  } catch {
    return null; // absent or unreadable tokenizer files only mean no token information
  }
}

function contentOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  const c = (v as { content?: unknown } | null)?.content;
  return typeof c === 'string' ? c : null;
}

async function readSpecialTokens(dir: string) {
  const byId = new Map<number, SpecialTokenInfo>();
  const add = (id: number, v: unknown) => {
    const content = contentOf(v);
    if (!Number.isInteger(id) || content === null) return;
    byId.set(id, { id, content, special: (v as { special?: unknown })?.special !== false });
  };
  const tok = await readJsonIfAny(path.join(dir, 'tokenizer.json'));
  if (Array.isArray(tok?.added_tokens)) for (const t of tok.added_tokens as { id?: unknown }[]) add(Number(t?.id), t);
  const tc = await readJsonIfAny(path.join(dir, 'tokenizer_config.json'));
  const decoder = tc?.added_tokens_decoder;
  if (decoder && typeof decoder === 'object')
    for (const [id, t] of Object.entries(decoder as Record<string, unknown>)) add(Number(id), t);
  const names: Record<string, string> = {};
  for (const role of ['bos', 'eos', 'pad', 'unk']) {
    const c = contentOf(tc?.[`${role}_token`]);
    if (c !== null) names[role] = c;
  }
  return { specialTokens: [...byId.values()].sort((a, b) => a.id - b.id), specialTokenNames: names };
}

/** Describes the model in `dir` (config.json, weight headers, tokenizer files). */
export async function llmInfo(dir: string, opts: LlmInfoOptions = {}): Promise<LlmInfo> {
  const hf = await readHfConfig(dir);
  const cfg = hf.config;
  const index = await indexHfWeights(dir);
  const dtypes = new Set<string>();
  let parameters = 0;
  for (const s of llamaParamSpecs(cfg)) {
    dtypes.add(weightEntry(index, s.name, s.dims).dtype);
    parameters += numel(s.dims);
  }
  const arch = Array.isArray(hf.raw.architectures) ? hf.raw.architectures[0] : undefined;
  return {
    architecture: typeof arch === 'string' ? arch : hf.modelType,
    modelType: hf.modelType,
    parameters,
    dtype: [...dtypes].sort().join('+'),
    vocab: cfg.vocabSize,
    layers: cfg.layers,
    hidden: cfg.hidden,
    heads: cfg.heads,
    kvHeads: cfg.kvHeads,
    headDim: llamaHeadDim(cfg),
    intermediate: cfg.intermediate,
    maxPositions: cfg.maxPositions,
    tieEmbeddings: cfg.tieEmbeddings,
    bosTokenId: hf.bosTokenId,
    eosTokenIds: hf.eosTokenIds,
    ...(await readSpecialTokens(dir)),
    memory: estimateLoraTrainingMemory(cfg, opts),
  };
}
