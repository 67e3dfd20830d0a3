/**
 * The placeholder tokens of intention alignment (<user>, <item>) and what adding them takes:
 * new special tokens in the tokenizer, as transformers' add_special_tokens does, and new
 * embedding rows initialised to the mean of the existing ones, as the RecExplainer reference does
 * after resize_token_embeddings (for the input embedding and, when untied, the LM head).
 */
import { RecxError } from '../errors.ts';
import type { LoadedTokenizer } from './tokenizer.ts';
import type { AddedTokenJson, TokenizerFiles } from './tokenizer-json.ts';

export const USER_TOKEN = '<user>';
export const ITEM_TOKEN = '<item>';

function specialListKey(config: Record<string, unknown>): string {
  // Keep the spelling the folder uses: transformers 5 writes a list under extra_special_tokens.
  if (config.additional_special_tokens === undefined && Array.isArray(config.extra_special_tokens)) {
    return 'extra_special_tokens';
  }
  return 'additional_special_tokens';
}

/**
 * Registers `tokens` as special added tokens (single tokens, never split, never normalised,
 * skipped by decode with skipSpecialTokens) and returns their ids, in order. A token new to the
 * tokenizer gets the next id after the current vocabulary; one already in the vocabulary or among
 * the added tokens keeps its id and is marked special. Rebuilds `tok` in place.
 */
export function addSpecialTokens(tok: LoadedTokenizer, tokens: readonly string[]): number[] {
  const files: TokenizerFiles = tok.files();
  const added = files.tokenizer.added_tokens;
  const listKey = specialListKey(files.config);
  const previous = files.config[listKey];
  const list: unknown[] = Array.isArray(previous) ? [...previous] : [];
  const listed = new Set(list.map((t) => (typeof t === 'string' ? t : (t as { content?: unknown })?.content)));
  let nextId = tok.vocabSize;
  const ids: number[] = [];
  for (const content of tokens) {
    if (content.length === 0 || content.trim() !== content) {
      throw new RecxError(`special token ${JSON.stringify(content)} must be non-empty without surrounding spaces`);
    }
    let entry: AddedTokenJson | undefined = added.find((t) => t.content === content);
    if (entry === undefined) {
      const id = tok.tokenToId(content) ?? nextId++;
      entry = { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
      added.push(entry);
    } else {
      entry.special = true;
    }
    if (!listed.has(content)) {
      list.push(content);
      listed.add(content);
    }
    ids.push(entry.id);
  }
  files.config[listKey] = list;
  tok.replaceFiles(files);
  return ids;
}

/**
 * Grows a row-major [rows, cols] table to [newRows, cols]: existing rows copied, each new row the
 * mean of the existing rows (accumulated in float64). For an embedding table or an untied LM head
 * after addSpecialTokens; pass newRows = max(rows, tokenizer.vocabSize) so padded tables (Qwen2)
 * keep their extra rows.
 */
export function resizeEmbeddingRows(table: Float32Array, rows: number, cols: number, newRows: number): Float32Array {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows <= 0 || cols <= 0) {
    throw new RangeError(`resizeEmbeddingRows: rows and cols must be positive integers, got ${rows} x ${cols}`);
  }
  if (table.length !== rows * cols) {
    throw new RangeError(`resizeEmbeddingRows: table has ${table.length} values, expected ${rows} x ${cols}`);
  }
  if (!Number.isInteger(newRows) || newRows < rows) {
    throw new RangeError(`resizeEmbeddingRows: newRows (${newRows}) must be an integer >= rows (${rows})`);
  }
  const out = new Float32Array(newRows * cols);
  out.set(table);
  if (newRows === rows) return out;
  const sum = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) sum[c] += table[base + c];
  }
  const mean = new Float32Array(cols);
  for (let c = 0; c < cols; c++) mean[c] = sum[c] / rows;
  for (let r = rows; r < newRows; r++) out.set(mean, r * cols);
  return out;
}
