/**
 * A Llama-family model as a NextTokenModel: one ORT session over the step graph
 * (llama-step-graph.ts) with the frozen weights as initializers, written to a temporary folder with
 * external data (FileBackedGraphSession), and a KV cache on the host (llama-kv-cache.ts).
 * Prefill left-pads prompts of different lengths: padded slots are masked and each row's positions
 * start at its first real token, so a padded row computes what the prompt alone would.
 *
 * Not here: search (greedy/beam/sampling: written against NextTokenModel), tokenization, LoRA
 * (merge adapters into the weights before creating a runtime).
 */
import { InputError } from '../errors.ts';
import { FileBackedGraphSession, type FileBackedSessionOptions } from '../graph/file-backed-session.ts';
import type { HostTensor } from '../graph/graph.ts';
import { type LlamaConfig, llamaHeadDim } from '../models/llama.ts';
import { loadHfModelDir } from './hf-model-dir.ts';
import { LlamaKvCache } from './llama-kv-cache.ts';
import { buildLlamaStepGraph } from './llama-step-graph.ts';
import type { KvCache, NextTokenModel, PrefillOptions } from './next-token-model.ts';

export interface LlamaRuntimeOptions {
  /** Never generated (e.g. added placeholder tokens); enforced by the search, not here. */
  bannedTokenIds?: readonly number[];
  /** End-of-sequence ids (default for fromDir: config.json / generation_config.json). */
  eosTokenIds?: readonly number[];
  /** Longest prompt + generation in tokens: the RoPE table length. Default min(maxPositions, 4096). */
  maxLength?: number;
  /**
   * Empty `weights` once the graph holds them, so that after they are written for ORT only ORT's
   * copy stays in memory (a 2 GB model otherwise peaked near 5 GB). For callers that own the map.
   */
  consumeWeights?: boolean;
  /** Provider order, threads, external-data threshold of the session. */
  session?: FileBackedSessionOptions;
}

const DEFAULT_MAX_LENGTH = 4096;
const int64 = (dims: number[], data: BigInt64Array): HostTensor => ({ dtype: 'int64', dims, data });
const float32 = (dims: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', dims, data });

export class LlamaRuntime implements NextTokenModel {
  readonly vocabSize: number;

  private constructor(
    readonly config: LlamaConfig,
    private readonly session: FileBackedGraphSession,
    readonly maxLength: number,
    readonly bannedTokenIds: readonly number[],
    readonly eosTokenIds: readonly number[],
  ) {
    this.vocabSize = config.vocabSize;
  }

  /** A runtime over float32 weights under HF keys (not copied; the caller may drop them after). */
  static async create(
    cfg: LlamaConfig,
    weights: Map<string, HostTensor>,
    opts: LlamaRuntimeOptions = {},
  ): Promise<LlamaRuntime> {
    const maxLength = Math.min(cfg.maxPositions, opts.maxLength ?? DEFAULT_MAX_LENGTH);
    const graph = buildLlamaStepGraph({ ...cfg, maxPositions: maxLength }, weights);
    if (opts.consumeWeights) weights.clear();
    const session = await FileBackedGraphSession.create(graph, opts.session);
    return new LlamaRuntime(cfg, session, maxLength, [...(opts.bannedTokenIds ?? [])], [...(opts.eosTokenIds ?? [])]);
  }

  /** Loads a HF folder (hf-model-dir.ts) and builds a runtime over it. */
  static async fromDir(dir: string, opts: LlamaRuntimeOptions = {}): Promise<LlamaRuntime> {
    const model = await loadHfModelDir(dir);
    return LlamaRuntime.create(model.config, model.weights, {
      ...opts,
      consumeWeights: true,
      eosTokenIds: opts.eosTokenIds ?? model.eosTokenIds,
    });
  }

  private checkTokens(tokens: readonly number[], what: string): void {
    for (const t of tokens)
      if (!Number.isInteger(t) || t < 0 || t >= this.vocabSize)
        throw new InputError(`${what}: token id ${t} is outside the vocabulary (0…${this.vocabSize - 1})`);
  }

  private checkLength(length: number): void {
    if (length > this.maxLength)
      throw new InputError(`sequence of ${length} tokens is longer than the runtime's maxLength ${this.maxLength}`);
    const w = this.config.slidingWindow;
    if (w !== undefined && length > w)
      throw new InputError(`sequence of ${length} tokens exceeds the model's sliding window (${w}); not supported`);
  }

  private async step(
    ids: BigInt64Array,
    positions: BigInt64Array,
    mask: BigInt64Array,
    addEmbeds: Float32Array,
    past: LlamaKvCache | null,
    rows: number,
    t: number,
  ): Promise<{ logits: Float32Array; cache: LlamaKvCache }> {
    const cfg = this.config;
    const d = llamaHeadDim(cfg);
    const p = past?.length ?? 0;
    const empty = new Float32Array(0);
    const feeds: Record<string, HostTensor> = {
      input_ids: int64([rows, t], ids),
      position_ids: int64([rows, t], positions),
      attention_mask: int64([rows, p + t], mask),
      add_embeds: float32([rows, t, cfg.hidden], addEmbeds),
    };
    for (let i = 0; i < cfg.layers; i++) {
      feeds[`past.${i}.key`] = float32([rows, cfg.kvHeads, p, d], past?.keys[i] ?? empty);
      feeds[`past.${i}.value`] = float32([rows, cfg.kvHeads, p, d], past?.values[i] ?? empty);
    }
    const out = await this.session.run(feeds);
    const layer = (kind: 'key' | 'value') =>
      Array.from({ length: cfg.layers }, (_, i) => out[`present.${i}.${kind}`].data as Float32Array);
    const next = Array.from({ length: rows }, (_, r) => Number(positions[r * t + t - 1]) + 1);
    const cache = new LlamaKvCache(this, rows, p + t, layer('key'), layer('value'), mask, next);
    return { logits: out.logits.data as Float32Array, cache };
  }

  async prefill(prompts: number[][], opts: PrefillOptions = {}): Promise<{ logits: Float32Array; cache: KvCache }> {
    if (prompts.length === 0) throw new InputError('prefill: no prompts');
    const add = opts.addEmbeddings;
    if (add && add.length !== prompts.length)
      throw new InputError(`prefill: ${add.length} addEmbeddings for ${prompts.length} prompts`);
    const c = this.config.hidden;
    const t = Math.max(...prompts.map((p) => p.length));
    this.checkLength(t);
    const rows = prompts.length;
    const ids = new BigInt64Array(rows * t);
    const positions = new BigInt64Array(rows * t);
    const mask = new BigInt64Array(rows * t);
    const addEmbeds = new Float32Array(rows * t * c);
    prompts.forEach((prompt, r) => {
      if (prompt.length === 0) throw new InputError(`prefill: prompt ${r} is empty`);
      this.checkTokens(prompt, `prefill: prompt ${r}`);
      const pad = t - prompt.length;
      prompt.forEach((tok, k) => {
        ids[r * t + pad + k] = BigInt(tok);
        positions[r * t + pad + k] = BigInt(k);
        mask[r * t + pad + k] = 1n;
      });
      const e = add?.[r];
      if (e) {
        if (e.length !== prompt.length * c)
          throw new InputError(`prefill: addEmbeddings[${r}] has ${e.length} values, expected ${prompt.length}×${c}`);
        addEmbeds.set(e, (r * t + pad) * c);
      }
    });
    return this.step(ids, positions, mask, addEmbeds, null, rows, t);
  }

  async decode(
    cache: KvCache,
    tokens: number[],
    sourceRows?: number[],
  ): Promise<{ logits: Float32Array; cache: KvCache }> {
    if (!(cache instanceof LlamaKvCache) || cache.owner !== this)
      throw new Error('decode: the cache was not made by this runtime');
    const past = sourceRows ? cache.select(sourceRows) : cache;
    if (tokens.length !== past.rows) throw new InputError(`decode: ${tokens.length} tokens for ${past.rows} rows`);
    this.checkTokens(tokens, 'decode');
    // Rows are left-padded to one cache length, but each row's limit is its own positions: a short
    // prompt in a batch with a long one may generate past the cache length maxLength would allow.
    this.checkLength(Math.max(...past.nextPositions) + 1);
    const rows = past.rows;
    const s = past.length + 1;
    const mask = new BigInt64Array(rows * s);
    for (let r = 0; r < rows; r++) {
      mask.set(past.mask.subarray(r * past.length, (r + 1) * past.length), r * s);
      mask[r * s + s - 1] = 1n;
    }
    const ids = BigInt64Array.from(tokens, BigInt);
    const positions = BigInt64Array.from(past.nextPositions, BigInt);
    return this.step(ids, positions, mask, new Float32Array(rows * this.config.hidden), past, rows, 1);
  }

  /**
   * Logits of the token after each prompt, row-major [prompts.length, vocabSize], without keeping a
   * cache (yes/no classification reads two entries of each row).
   */
  async scoreNextToken(prompts: number[][], opts: PrefillOptions = {}): Promise<Float32Array> {
    return (await this.prefill(prompts, opts)).logits;
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
