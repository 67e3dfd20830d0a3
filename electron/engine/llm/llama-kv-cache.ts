/**
 * The Llama runtime's KV cache, held on the host: per layer keys and values [rows, K, length, D]
 * (what the step graph returned), the attention mask over cached positions (0 = left padding) and
 * each row's next position id. Immutable: decoding and row selection build new arrays, so a cache
 * a search keeps (e.g. for another beam) stays valid.
 */
import type { KvCache } from './next-token-model.ts';

export class LlamaKvCache implements KvCache {
  constructor(
    /** The runtime that made it (a cache only works with its own model). */
    readonly owner: object,
    readonly rows: number,
    readonly length: number,
    readonly keys: Float32Array[],
    readonly values: Float32Array[],
    /** [rows, length]: 1 for a real token, 0 for padding. */
    readonly mask: BigInt64Array,
    /** Position id the next token of each row gets (its count of real tokens). */
    readonly nextPositions: number[],
  ) {}

  /** The cache whose row k is row `sourceRows[k]` of this one (rows may repeat or drop). */
  select(sourceRows: number[]): LlamaKvCache {
    if (sourceRows.length === this.rows && sourceRows.every((r, k) => r === k)) return this;
    for (const r of sourceRows)
      if (!Number.isInteger(r) || r < 0 || r >= this.rows)
        throw new RangeError(`sourceRows: ${r} is not a row of a cache with ${this.rows} rows`);
    const rows = sourceRows.length;
    const floats = (src: Float32Array) => {
      const block = src.length / this.rows;
      const out = new Float32Array(rows * block);
      for (const [k, r] of sourceRows.entries()) out.set(src.subarray(r * block, (r + 1) * block), k * block);
      return out;
    };
    const mask = new BigInt64Array(rows * this.length);
    for (const [k, r] of sourceRows.entries())
      mask.set(this.mask.subarray(r * this.length, (r + 1) * this.length), k * this.length);
    return new LlamaKvCache(
      this.owner,
      rows,
      this.length,
      this.keys.map(floats),
      this.values.map(floats),
      mask,
      sourceRows.map((r) => this.nextPositions[r]),
    );
  }
}
