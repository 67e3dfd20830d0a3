/**
 * A fake NextTokenModel for the generation tests: the logits are a fixed pseudo-random function of
 * the row's whole token history, and the "KV cache" is just those histories. A wrong cache reorder
 * therefore yields the logits of a wrong history, which the tests detect.
 */
import type { KvCache, NextTokenModel } from '../../../electron/engine/llm/next-token-model.ts';
import { logSoftmax } from '../../../electron/engine/llm/sampling.ts';
import { Rng } from '../../../electron/engine/random.ts';

export class FakeCache implements KvCache {
  constructor(readonly histories: readonly (readonly number[])[]) {}
  get rows(): number {
    return this.histories.length;
  }
  get length(): number {
    return Math.max(...this.histories.map((h) => h.length));
  }
}

export interface FakeModelOptions {
  vocabSize: number;
  seed?: number;
  /** Logits are uniform in [−scale, scale]; default 2. */
  scale?: number;
  eosTokenIds?: number[];
  bannedTokenIds?: number[];
  /** Replaces the hashed logits. */
  logits?: (history: readonly number[]) => ArrayLike<number>;
  /** A broken cache: row k always continues row k, whatever sourceRows says. */
  ignoreSourceRows?: boolean;
  /** The model's context (prompt + generated); unbounded when absent. */
  maxLength?: number;
}

export class FakeModel implements NextTokenModel {
  readonly vocabSize: number;
  readonly bannedTokenIds: readonly number[];
  readonly eosTokenIds: readonly number[];
  readonly maxLength?: number;
  readonly decodeCalls: { tokens: number[]; sourceRows?: number[]; rowsBefore: number }[] = [];
  prefillCalls = 0;

  constructor(private readonly o: FakeModelOptions) {
    this.vocabSize = o.vocabSize;
    this.bannedTokenIds = o.bannedTokenIds ?? [];
    this.eosTokenIds = o.eosTokenIds ?? [];
    if (o.maxLength !== undefined) this.maxLength = o.maxLength;
  }

  logitsFor(history: readonly number[]): Float32Array {
    if (this.o.logits) return Float32Array.from(this.o.logits(history));
    let h = (2166136261 ^ (this.o.seed ?? 0)) >>> 0;
    for (const t of history) h = Math.imul(h ^ (t + 1), 16777619);
    const rng = new Rng(h >>> 0);
    const scale = this.o.scale ?? 2;
    return Float32Array.from({ length: this.vocabSize }, () => (rng.next() * 2 - 1) * scale);
  }

  private output(histories: number[][]) {
    const logits = new Float32Array(histories.length * this.vocabSize);
    histories.forEach((h, i) => {
      logits.set(this.logitsFor(h), i * this.vocabSize);
    });
    return { logits, cache: new FakeCache(histories) };
  }

  async prefill(prompts: number[][]) {
    this.prefillCalls++;
    return this.output(prompts.map((p) => [...p]));
  }

  async decode(cache: KvCache, tokens: number[], sourceRows?: number[]) {
    if (!(cache instanceof FakeCache)) throw new Error('not a FakeCache');
    if (sourceRows === undefined && tokens.length !== cache.rows)
      throw new Error('row count changed without sourceRows');
    if (sourceRows !== undefined && sourceRows.length !== tokens.length) throw new Error('sourceRows/tokens mismatch');
    this.decodeCalls.push({ tokens: [...tokens], sourceRows: sourceRows && [...sourceRows], rowsBefore: cache.rows });
    const histories = tokens.map((t, k) => {
      const src = this.o.ignoreSourceRows ? Math.min(k, cache.rows - 1) : (sourceRows?.[k] ?? k);
      if (!(src >= 0 && src < cache.rows)) throw new Error(`source row ${src} out of range`);
      return [...cache.histories[src], t];
    });
    return this.output(histories);
  }

  async release() {}

  /** log p(tokens | prompt) summed, computed from scratch (no cache). */
  sequenceLogProb(prompt: readonly number[], tokens: readonly number[]): number {
    let total = 0;
    for (let i = 0; i < tokens.length; i++)
      total += logSoftmax(this.logitsFor([...prompt, ...tokens.slice(0, i)]))[tokens[i]];
    return total;
  }
}

/** Token i decodes to letters[i]; for stop-string tests. */
export function letterDecoder(letters: readonly string[]) {
  return (ids: readonly number[]) => ids.map((i) => letters[i]).join('');
}
