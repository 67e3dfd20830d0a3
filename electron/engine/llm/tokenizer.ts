/**
 * A Hugging Face tokenizer (tokenizer.json + tokenizer_config.json [+ special_tokens_map.json,
 * chat_template.jinja]) run by @huggingface/tokenizers, with the behaviour of transformers'
 * fast tokenizers where the JS library differs:
 * - WordLevel files load as the library's "Legacy" model, which looks the unknown token up in
 *   tokenizer_config.json only; when that is missing or in the old AddedToken-object form it
 *   returns null ids. We set the model's unknown token from tokenizer.json (as the Rust model
 *   does) and still check every id, so an out-of-vocabulary word is never null.
 * - Special tokens given as objects ({"content": ...}) are passed to the library as strings, and
 *   those named in the config but missing from added_tokens are registered as added tokens when in
 *   the vocabulary, as transformers does on load (never split; dropped by skipSpecialTokens).
 * - Decoding cleans up tokenization spaces only when the config asks and the model is not BPE,
 *   as transformers 5 does (the library's default would corrupt " ." in BPE text), and skips
 *   unknown ids like the Rust decoder instead of throwing; an empty list decodes to "".
 * Reading and writing directories is in tokenizer-files.ts; added tokens in tokenizer-added-tokens.ts.
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { InputError } from '../errors.ts';
import { type ChatMessage, type ChatTemplate, compileChatTemplate } from './chat-template.ts';
import {
  type JsonObject,
  type SpecialTokenNames,
  specialTokenNames,
  type TokenizerFiles,
  unknownTokenOf,
} from './tokenizer-json.ts';

export type { SpecialTokenNames, TokenizerFiles } from './tokenizer-json.ts';

export interface EncodeOptions {
  /** Add the post-processor's tokens (e.g. a leading BOS), as HF's default does. Default true. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, <user>, ...) from the text. Default false. */
  skipSpecialTokens?: boolean;
}

export interface ChatTemplateOptions {
  /** Append the header that starts the assistant's reply. Default false. */
  addGenerationPrompt?: boolean;
}

export interface AddedTokenInfo {
  id: number;
  content: string;
  special: boolean;
}

/**
 * The part of the library's Tokenizer used here. Its published .d.ts files use extensionless
 * relative imports that do not resolve under NodeNext, so the class types as `any` otherwise.
 */
interface LibraryTokenizer {
  model: { vocab: (string | undefined)[]; unk_token?: string; unk_token_id?: number };
  encode(text: string, opts: { add_special_tokens: boolean }): { ids: (number | null | undefined)[]; tokens: string[] };
  decode(ids: number[], opts: { skip_special_tokens: boolean; clean_up_tokenization_spaces: boolean }): string;
  tokenize(text: string): string[];
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  get_added_tokens_decoder(): Map<number, { id: number; special: boolean }>;
}

interface State {
  files: TokenizerFiles;
  inner: LibraryTokenizer;
  names: SpecialTokenNames;
  /** Id an out-of-vocabulary piece maps to, or null when the tokenizer has no unknown token. */
  fallbackUnkId: number | null;
  cleanUpSpaces: boolean;
  /** Added special tokens and the configured ones: what skipSpecialTokens drops. */
  specialIds: Set<number>;
  template: ChatTemplate | null | undefined;
}

/**
 * tokenizer.json as handed to the library: the five top-level keys it requires, and the special
 * tokens named in the config registered as added tokens when they are in the vocabulary but not
 * yet added, as transformers does on load (so "[PAD]" in text is one token, never split).
 */
function libraryJson(files: TokenizerFiles, names: SpecialTokenNames): JsonObject {
  const added = [...files.tokenizer.added_tokens];
  const model = files.tokenizer.model as JsonObject;
  const vocab =
    model.vocab !== null && typeof model.vocab === 'object' && !Array.isArray(model.vocab) ? model.vocab : {};
  for (const name of [names.bos, names.eos, names.unk, names.pad, ...names.additional]) {
    if (name === null || added.some((t) => t.content === name)) continue;
    const id = (vocab as Record<string, unknown>)[name];
    if (typeof id !== 'number') continue;
    added.push({
      id,
      content: name,
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: false,
      special: true,
    });
  }
  return {
    normalizer: null,
    pre_tokenizer: null,
    post_processor: null,
    decoder: null,
    ...files.tokenizer,
    added_tokens: added,
  };
}

function buildState(files: TokenizerFiles, source: string): State {
  const names = specialTokenNames(files);
  const libConfig: Record<string, unknown> = {
    ...files.config,
    bos_token: names.bos,
    eos_token: names.eos,
    pad_token: names.pad,
    unk_token: names.unk,
    additional_special_tokens: names.additional,
    // Cleanup is decided in decode(), with transformers' rule.
    clean_up_tokenization_spaces: false,
  };
  let inner: LibraryTokenizer;
  try {
    inner = new Tokenizer(libraryJson(files, names), libConfig) as LibraryTokenizer;
  } catch (e) {
    throw new InputError(`${source}/tokenizer.json: unsupported or malformed tokenizer (${(e as Error).message})`);
  }
  const model = inner.model;
  const modelUnk = unknownTokenOf(files.tokenizer) ?? names.unk;
  const modelUnkId = modelUnk === null ? undefined : inner.token_to_id(modelUnk);
  if (model.unk_token_id === undefined && modelUnkId !== undefined) {
    model.unk_token = modelUnk!;
    model.unk_token_id = modelUnkId;
  }
  const cleanUpSpaces = files.config.clean_up_tokenization_spaces === true && files.tokenizer.model.type !== 'BPE';
  const specialIds = new Set<number>();
  for (const t of inner.get_added_tokens_decoder().values()) if (t.special) specialIds.add(t.id);
  for (const name of [names.bos, names.eos, names.pad, names.unk, ...names.additional]) {
    const id = name === null ? undefined : inner.token_to_id(name);
    if (id !== undefined) specialIds.add(id);
  }
  const fallbackUnkId = model.unk_token_id ?? null;
  return { files, inner, names, fallbackUnkId, cleanUpSpaces, specialIds, template: undefined };
}

/** A loaded tokenizer. Mutable only through replaceFiles (what addSpecialTokens uses). */
export class LoadedTokenizer {
  #state: State;

  /** @param source where the files came from, for error messages (a directory or a description). */
  constructor(
    files: TokenizerFiles,
    readonly source: string,
  ) {
    this.#state = buildState(files, source);
  }

  /** Rebuilds from new file contents, keeping this object (callers hold it). */
  replaceFiles(files: TokenizerFiles): void {
    this.#state = buildState(files, this.source);
  }

  /** A deep copy of the file contents, for saving or editing. */
  files(): TokenizerFiles {
    return structuredClone(this.#state.files);
  }

  /** Number of ids (largest id + 1), added tokens included: the embedding rows the model needs. */
  get vocabSize(): number {
    return this.#state.inner.model.vocab.length;
  }

  get specialTokens(): SpecialTokenNames {
    return { ...this.#state.names, additional: [...this.#state.names.additional] };
  }

  get bosTokenId(): number | null {
    return this.#idOf(this.#state.names.bos);
  }

  get eosTokenId(): number | null {
    return this.#idOf(this.#state.names.eos);
  }

  get padTokenId(): number | null {
    return this.#idOf(this.#state.names.pad);
  }

  /** The configured unknown token's id, else the model's. */
  get unkTokenId(): number | null {
    return this.#idOf(this.#state.names.unk) ?? this.#state.fallbackUnkId;
  }

  /** Tokens from tokenizer.json's added_tokens, in file order. */
  get addedTokens(): AddedTokenInfo[] {
    return this.#state.files.tokenizer.added_tokens.map((t) => ({ id: t.id, content: t.content, special: t.special }));
  }

  /** Ids of special added tokens and of the configured special tokens (what skipSpecialTokens drops). */
  get specialTokenIds(): number[] {
    return [...this.#state.specialIds].sort((a, b) => a - b);
  }

  get hasChatTemplate(): boolean {
    return this.#chatTemplate() !== null;
  }

  tokenToId(token: string): number | null {
    return this.#state.inner.token_to_id(token) ?? null;
  }

  idToToken(id: number): string | null {
    return this.#state.inner.id_to_token(id) ?? null;
  }

  /** The token strings of `text` (no special tokens added). */
  tokenize(text: string): string[] {
    return this.#state.inner.tokenize(text);
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const { ids, tokens } = this.#state.inner.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true });
    const { fallbackUnkId } = this.#state;
    return ids.map((id, i) => {
      if (typeof id === 'number' && Number.isInteger(id)) return id;
      if (fallbackUnkId === null) {
        throw new InputError(
          `${this.source}: "${tokens[i]}" is not in the vocabulary and the tokenizer has no unknown token`,
        );
      }
      return fallbackUnkId;
    });
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const { inner, specialIds, cleanUpSpaces } = this.#state;
    const vocab = inner.model.vocab;
    const skip = opts.skipSpecialTokens ?? false;
    const kept = ids.filter((id) => vocab[id] !== undefined && Number.isInteger(id) && !(skip && specialIds.has(id)));
    if (kept.length === 0) return '';
    return inner.decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: cleanUpSpaces });
  }

  /**
   * Renders `messages` with the tokenizer's chat template (HF apply_chat_template with
   * tokenize=False). Encode the result with addSpecialTokens: false when the template writes the
   * BOS itself, as Llama-3's and the built-in one do.
   */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    const template = this.#chatTemplate();
    if (template === null) {
      throw new InputError(
        `${this.source}: the tokenizer has no chat template (no "chat_template" in tokenizer_config.json and no chat_template.jinja); format prompts as plain text instead`,
      );
    }
    const { bos, eos, pad, unk, additional } = this.#state.names;
    return template.render(messages, opts.addGenerationPrompt ?? false, {
      bos_token: bos,
      eos_token: eos,
      pad_token: pad,
      unk_token: unk,
      additional_special_tokens: additional,
    });
  }

  #idOf(token: string | null): number | null {
    return token === null ? null : this.tokenToId(token);
  }

  #chatTemplate(): ChatTemplate | null {
    const state = this.#state;
    if (state.template === undefined) {
      const source = state.files.chatTemplate ?? state.files.config.chat_template;
      const where = state.files.chatTemplate !== null ? 'chat_template.jinja' : 'tokenizer_config.json';
      state.template = compileChatTemplate(source, `${this.source}/${where}`);
    }
    return state.template;
  }
}
