/**
 * The PEFT fixtures of tests/fixtures/gen_lora_fixtures.py (tests/fixtures/lora/) and a LoRA logits
 * runner for the tests. The base is read directly (config.json by hand, model.safetensors).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Graph, type HostTensor } from '../../../electron/engine/graph/graph.ts';
import { loadSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { buildLlamaLogits, type LlamaConfig } from '../../../electron/engine/models/llama.ts';
import { declareLoraLlama, type LoraConfig } from '../../../electron/engine/models/lora.ts';

export const LORA_FIXTURES = path.join(import.meta.dirname, '../../fixtures/lora');

/** LlamaConfig from an HF config.json (the fields the tiny fixture uses). */
export function llamaConfigOfHf(hf: Record<string, unknown>): LlamaConfig {
  const n = (k: string) => hf[k] as number;
  const rope = hf.rope_parameters as { rope_theta?: number } | undefined;
  return {
    vocabSize: n('vocab_size'),
    hidden: n('hidden_size'),
    layers: n('num_hidden_layers'),
    heads: n('num_attention_heads'),
    kvHeads: n('num_key_value_heads') ?? n('num_attention_heads'),
    intermediate: n('intermediate_size'),
    rmsEps: n('rms_norm_eps'),
    ropeTheta: rope?.rope_theta ?? n('rope_theta'),
    maxPositions: n('max_position_embeddings'),
    tieEmbeddings: Boolean(hf.tie_word_embeddings),
    headDim: n('head_dim'),
  };
}

export async function loadLoraBase(): Promise<{ llama: LlamaConfig; weights: Map<string, HostTensor> }> {
  const dir = path.join(LORA_FIXTURES, 'base');
  const hf = JSON.parse(await readFile(path.join(dir, 'config.json'), 'utf8'));
  const { tensors } = await loadSafetensors(path.join(dir, 'model.safetensors'));
  return { llama: llamaConfigOfHf(hf), weights: tensors };
}

export interface LoraReference {
  meta: { versions: Record<string, string>; loss: number; scaling: Record<string, number> };
  prompt: HostTensor;
  logits: HostTensor;
  batch: { input_ids: HostTensor; labels: HostTensor };
  /** d loss / d LoRA tensor, by adapter-file key. */
  grads: Map<string, HostTensor>;
}

export async function loadLoraReference(name: string): Promise<LoraReference> {
  const { tensors, metadata } = await loadSafetensors(path.join(LORA_FIXTURES, name, 'reference.safetensors'));
  const grads = new Map<string, HostTensor>();
  for (const [k, t] of tensors) if (k.startsWith('grad.')) grads.set(k.slice('grad.'.length), t);
  return {
    meta: JSON.parse(metadata.fixture),
    prompt: tensors.get('prompt')!,
    logits: tensors.get('logits')!,
    batch: { input_ids: tensors.get('batch.input_ids')!, labels: tensors.get('batch.labels')! },
    grads,
  };
}

/** Logits [B, T, V] of the base with the adapter, base weights as initializers (float32, eval). */
export async function loraLogits(
  cfg: LoraConfig,
  llama: LlamaConfig,
  base: Map<string, HostTensor>,
  lora: Map<string, HostTensor>,
  inputIds: HostTensor,
): Promise<Float32Array> {
  const g = new Graph('lora_logits');
  const m = declareLoraLlama(g, cfg, llama, { base: { kind: 'initializers', weights: base } });
  const ids = g.input('input_ids', 'int64', ['B', 'T']);
  g.output(buildLlamaLogits(llama, m.base, ids, { project: m.project }), 'logits');
  const session = await GraphSession.create(g, { providers: ['cpu'], threads: 1 });
  try {
    const out = await session.run({ input_ids: inputIds, ...Object.fromEntries(lora) });
    return out.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** max |a − b| / max |b|. */
export function scaledError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let diff = 0;
  let scale = 0;
  for (let k = 0; k < expected.length; k++) {
    diff = Math.max(diff, Math.abs(actual[k] - expected[k]));
    scale = Math.max(scale, Math.abs(expected[k]));
  }
  return diff / scale;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}
