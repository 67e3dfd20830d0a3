/**
 * Reads and writes Hugging Face tokenizer directories, offline. The files written load in
 * transformers (4 and 5) with AutoTokenizer as well as here: tokenizer.json as loaded plus added
 * tokens, tokenizer_config.json with added_tokens_decoder, special_tokens_map.json, and
 * chat_template.jinja only when the template came from one.
 */
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.ts';
import { writeFileAtomic } from '../project/atomic-io.ts';
import { LoadedTokenizer } from './tokenizer.ts';
import {
  type JsonObject,
  parseJsonObject,
  parseTokenizerJson,
  type TokenizerFiles,
  tokenContent,
} from './tokenizer-json.ts';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
export const SPECIAL_TOKENS_MAP_FILE = 'special_tokens_map.json';
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

async function readOptional(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new InputError(`${file}: cannot be read (${(e as Error).message})`);
  }
}

/** Reads a tokenizer directory (no network). Missing or corrupt files raise InputError naming the file. */
export async function loadTokenizer(dir: string): Promise<LoadedTokenizer> {
  const tokenizerFile = path.join(dir, TOKENIZER_FILE);
  const tokenizerText = await readOptional(tokenizerFile);
  if (tokenizerText === null) {
    throw new InputError(`${tokenizerFile}: not found (a Hugging Face tokenizer folder needs tokenizer.json)`);
  }
  const tokenizer = parseTokenizerJson(parseJsonObject(tokenizerText, tokenizerFile), tokenizerFile);
  const configFile = path.join(dir, TOKENIZER_CONFIG_FILE);
  const configText = await readOptional(configFile);
  const config = configText === null ? {} : parseJsonObject(configText, configFile);
  const mapFile = path.join(dir, SPECIAL_TOKENS_MAP_FILE);
  const mapText = await readOptional(mapFile);
  const specialTokensMap = mapText === null ? null : parseJsonObject(mapText, mapFile);
  const chatTemplate = await readOptional(path.join(dir, CHAT_TEMPLATE_FILE));
  return new LoadedTokenizer({ tokenizer, config, specialTokensMap, chatTemplate }, dir);
}

/** tokenizer_config.json as transformers writes it: added_tokens_decoder keyed by id. */
function configToSave(files: TokenizerFiles): JsonObject {
  const decoder: JsonObject = {};
  for (const t of [...files.tokenizer.added_tokens].sort((a, b) => a.id - b.id)) {
    const { content, lstrip, normalized, rstrip, single_word, special } = t;
    decoder[String(t.id)] = { content, lstrip, normalized, rstrip, single_word, special };
  }
  const config: JsonObject = { ...files.config, added_tokens_decoder: decoder };
  if (config.tokenizer_class === undefined) config.tokenizer_class = 'PreTrainedTokenizerFast';
  if (files.chatTemplate !== null) delete config.chat_template;
  return config;
}

function specialTokensMapToSave(files: TokenizerFiles, tok: LoadedTokenizer): JsonObject {
  const map: JsonObject = { ...(files.specialTokensMap ?? {}) };
  const names = tok.specialTokens;
  const single = { bos_token: names.bos, eos_token: names.eos, unk_token: names.unk, pad_token: names.pad };
  for (const [key, value] of Object.entries(single)) {
    if (value !== null && tokenContent(map[key]) === null) map[key] = value;
  }
  if (names.additional.length > 0) map.additional_special_tokens = names.additional;
  return map;
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * Writes tokenizer.json, tokenizer_config.json and special_tokens_map.json into `dir` (created if
 * needed; existing files replaced atomically), and chat_template.jinja when the template lives in one.
 */
export async function saveTokenizer(dir: string, tok: LoadedTokenizer): Promise<void> {
  const files = tok.files();
  await writeFileAtomic(path.join(dir, TOKENIZER_FILE), json(files.tokenizer));
  await writeFileAtomic(path.join(dir, TOKENIZER_CONFIG_FILE), json(configToSave(files)));
  await writeFileAtomic(path.join(dir, SPECIAL_TOKENS_MAP_FILE), json(specialTokensMapToSave(files, tok)));
  const templateFile = path.join(dir, CHAT_TEMPLATE_FILE);
  // A stale chat_template.jinja would take precedence over the config's template in transformers.
  if (files.chatTemplate === null) await rm(templateFile, { force: true });
  else await writeFileAtomic(templateFile, files.chatTemplate);
}
