/**
 * The parsed contents of a Hugging Face tokenizer directory and the little validation we need
 * before handing tokenizer.json to @huggingface/tokenizers (which reports bad files with bare
 * TypeErrors), and the special tokens it names. Unknown keys are kept, so saving writes back what
 * was loaded.
 */
import { z } from 'zod';
import { InputError } from '../errors.ts';

const addedTokenSchema = z.looseObject({
  id: z.number().int().nonnegative(),
  content: z.string().min(1),
  single_word: z.boolean().default(false),
  lstrip: z.boolean().default(false),
  rstrip: z.boolean().default(false),
  normalized: z.boolean().default(true),
  special: z.boolean().default(false),
});

const tokenizerJsonSchema = z.looseObject({
  model: z.looseObject({ type: z.string().optional() }),
  added_tokens: z.array(addedTokenSchema).default([]),
});

export type AddedTokenJson = z.infer<typeof addedTokenSchema>;
export type TokenizerJson = z.infer<typeof tokenizerJsonSchema>;
export type JsonObject = Record<string, unknown>;

export interface TokenizerFiles {
  /** tokenizer.json */
  tokenizer: TokenizerJson;
  /** tokenizer_config.json ({} when the directory has none). */
  config: JsonObject;
  /** special_tokens_map.json, when present. */
  specialTokensMap: JsonObject | null;
  /** chat_template.jinja (transformers 5 writes the template there), when present. */
  chatTemplate: string | null;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return `${issue.message}${path}`;
}

/** Parses JSON text that must be an object; errors name `file`. */
export function parseJsonObject(text: string, file: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InputError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new InputError(`${file}: expected a JSON object`);
  }
  return value as JsonObject;
}

/** Checks the parts of tokenizer.json we rely on; errors name `file`. */
export function parseTokenizerJson(value: JsonObject, file: string): TokenizerJson {
  const parsed = tokenizerJsonSchema.safeParse(value);
  if (!parsed.success) throw new InputError(`${file}: not a tokenizer.json (${firstIssue(parsed.error)})`);
  return parsed.data;
}

/** The model's own unknown token (WordLevel/WordPiece/BPE `unk_token`, Unigram `unk_id`), if any. */
export function unknownTokenOf(json: TokenizerJson): string | null {
  const model = json.model as JsonObject;
  if (typeof model.unk_token === 'string') return model.unk_token;
  if (typeof model.unk_id === 'number' && Array.isArray(model.vocab)) {
    const entry = model.vocab[model.unk_id];
    if (Array.isArray(entry) && typeof entry[0] === 'string') return entry[0];
  }
  return null;
}

export interface SpecialTokenNames {
  bos: string | null;
  eos: string | null;
  pad: string | null;
  unk: string | null;
  /** additional_special_tokens (or transformers 5's extra_special_tokens list). */
  additional: string[];
}

/** A special token in tokenizer_config.json is a string or an AddedToken object. */
export function tokenContent(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return null;
}

/** The special tokens a folder names: tokenizer_config.json first, then special_tokens_map.json. */
export function specialTokenNames(files: TokenizerFiles): SpecialTokenNames {
  const map = files.specialTokensMap ?? {};
  const pick = (key: string) => tokenContent(files.config[key]) ?? tokenContent(map[key]);
  const list =
    files.config.additional_special_tokens ?? files.config.extra_special_tokens ?? map.additional_special_tokens;
  const additional = Array.isArray(list) ? list.map(tokenContent).filter((t): t is string => t !== null) : [];
  return { bos: pick('bos_token'), eos: pick('eos_token'), pad: pick('pad_token'), unk: pick('unk_token'), additional };
}
