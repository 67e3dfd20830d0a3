/**
 * What generation needs from a language model: logits for the next token, with a KV cache so each
 * new token costs one decode step. Implemented by the Llama runtime (prefill + decode graphs);
 * search strategies (greedy, beam, sampling) only see this interface.
 */

/** Opaque per-row cache of past keys/values; rows are sequences (prompts or beams). */
export interface KvCache {
  /** Number of rows. */
  readonly rows: number;
  /** Tokens already in the cache per row (all rows share one length). */
  readonly length: number;
}

export interface PrefillOptions {
  /**
   * Per prompt, row-major [prompt length, hidden] vectors added to the token embeddings (zero rows
   * except at <user>/<item> placeholders): how intention alignment injects recommender vectors.
   */
  addEmbeddings?: (Float32Array | null)[];
}

export interface NextTokenModel {
  readonly vocabSize: number;
  /** Token ids that must never be generated (e.g. added special tokens such as <user>). */
  readonly bannedTokenIds: readonly number[];
  readonly eosTokenIds: readonly number[];
  /**
   * Longest prompt + generated tokens one row may reach (positions 0…maxLength−1), when bounded.
   * Generation stops each row there (finishReason 'length'); rows of one batch need not share it.
   */
  readonly maxLength?: number;
  /**
   * Runs the prompts (left-padded internally when lengths differ) and returns the logits at each
   * prompt's last position, row-major [prompts.length, vocabSize], and the cache.
   */
  prefill(prompts: number[][], opts?: PrefillOptions): Promise<{ logits: Float32Array; cache: KvCache }>;
  /**
   * Appends one token per row. `sourceRows[k]` says which row of `cache` row k continues (beam
   * search reorders and duplicates rows); identity when omitted. Returns logits [rows, vocabSize].
   */
  decode(cache: KvCache, tokens: number[], sourceRows?: number[]): Promise<{ logits: Float32Array; cache: KvCache }>;
  release(): Promise<void>;
}
