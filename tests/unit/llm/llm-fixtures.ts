/** The Hugging Face reference fixtures of tests/fixtures/gen_llm_fixtures.py, and comparison helpers. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const LLM_FIXTURES = fileURLToPath(new URL('../../fixtures/llm/', import.meta.url));
export const fixtureDir = (name: string) => `${LLM_FIXTURES}${name}`;

export type FixtureName = 'tiny-llama-f32' | 'tiny-llama-bf16' | 'tiny-qwen2';

export interface ReferenceCase {
  /** [prompt length, vocab] row-major. */
  logits: number[];
  greedy: number[];
  greedy_min_margin: number;
  add_embeds?: { position: number; vector: number[]; logits: number[] };
  logits_bf16_compute?: number[];
}

export interface LlmReference {
  versions: Record<string, string>;
  prompt: number[];
  vocab: number;
  cases: Record<FixtureName, ReferenceCase>;
  llama31_rope: {
    head_dim: number;
    rope_parameters: Record<string, number | string>;
    inv_freq: number[];
    attention_scaling: number;
  };
}

let cached: LlmReference | null = null;
export function llmReference(): LlmReference {
  cached ??= JSON.parse(readFileSync(`${LLM_FIXTURES}reference.json`, 'utf8')) as LlmReference;
  return cached;
}

/** Row `row` of a row-major [rows, width] array. */
export function rowOf(data: ArrayLike<number>, row: number, width: number): number[] {
  return Array.from({ length: width }, (_, k) => data[row * width + k]);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k] - b[k]));
  return m;
}

export function argmax(data: ArrayLike<number>, row = 0, width = data.length): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (data[row * width + k] > data[row * width + best]) best = k;
  return best;
}
