/**
 * Folders written by saveTokenizer, committed under tests/fixtures/llm/tokenizers/saved/ with our
 * encodings, so tests/fixtures/llm/tokenizers/check_hf_load.py can check by hand that
 * transformers.AutoTokenizer loads them and encodes, decodes and renders the same. This test
 * fails when what we write changes; regenerate with RECX_UPDATE_TOKENIZER_FIXTURES=1 and rerun
 * the Python check.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTinyTokenizer } from '../../../electron/engine/llm/tiny-tokenizer.ts';
import type { LoadedTokenizer } from '../../../electron/engine/llm/tokenizer.ts';
import { addSpecialTokens, ITEM_TOKEN, USER_TOKEN } from '../../../electron/engine/llm/tokenizer-added-tokens.ts';
import { loadTokenizer, saveTokenizer } from '../../../electron/engine/llm/tokenizer-files.ts';
import { FIXTURES, TINY_CORPUS, TITLES } from './tokenizer-fixtures.ts';

const SAVED = path.join(FIXTURES, 'saved');
const UPDATE = process.env.RECX_UPDATE_TOKENIZER_FIXTURES === '1';
const FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];
const TEXTS = [
  ...TITLES,
  "<user>'s history: <item> Toy Story (1995); <item> Heat (1995)",
  'x<item>y <s> naïve 🙂 Zyzzyva  two  spaces\nnew line',
];
const MESSAGES = [
  { role: 'system', content: 'You explain recommendations.' },
  { role: 'user', content: 'The user <user> watched <item> Toy Story (1995). Next?' },
  { role: 'assistant', content: 'Heat (1995)' },
];

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'recx-hf-files-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function summary(tok: LoadedTokenizer) {
  return {
    vocabSize: tok.vocabSize,
    ids: { bos: tok.bosTokenId, eos: tok.eosTokenId, pad: tok.padTokenId, unk: tok.unkTokenId },
    placeholders: [USER_TOKEN, ITEM_TOKEN].map((t) => tok.tokenToId(t)),
    encodings: TEXTS.map((text) => {
      const ids = tok.encode(text);
      return {
        text,
        ids,
        idsNoSpecial: tok.encode(text, { addSpecialTokens: false }),
        decoded: tok.decode(ids),
        decodedSkipSpecial: tok.decode(ids, { skipSpecialTokens: true }),
      };
    }),
    chat: {
      messages: MESSAGES,
      rendered: tok.applyChatTemplate(MESSAGES),
      renderedGeneration: tok.applyChatTemplate(MESSAGES.slice(0, 2), { addGenerationPrompt: true }),
    },
  };
}

async function checkFolder(name: string, tok: LoadedTokenizer): Promise<void> {
  const dir = path.join(scratch, name);
  await saveTokenizer(dir, tok);
  for (const file of FILES) {
    const ours = await readFile(path.join(dir, file), 'utf8');
    const committed = path.join(SAVED, name, file);
    if (UPDATE) {
      await mkdir(path.dirname(committed), { recursive: true });
      await writeFile(committed, ours);
    } else {
      expect(ours, `${committed} is stale: rerun with RECX_UPDATE_TOKENIZER_FIXTURES=1`).toBe(
        await readFile(committed, 'utf8'),
      );
    }
  }
}

describe('tokenizer folders for the transformers check', () => {
  it('writes the same files and encodings as committed (built-in tiny, BPE + <user>/<item>)', async () => {
    const tiny = buildTinyTokenizer(TINY_CORPUS);
    const bpe = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    addSpecialTokens(bpe, [USER_TOKEN, ITEM_TOKEN]);
    await checkFolder('tiny', tiny);
    await checkFolder('bpe-added', bpe);
    const ours = `${JSON.stringify({ tiny: summary(tiny), 'bpe-added': summary(bpe) }, null, 2)}\n`;
    const committed = path.join(SAVED, 'expected.json');
    if (UPDATE) await writeFile(committed, ours);
    else expect(ours, `${committed} is stale`).toBe(await readFile(committed, 'utf8'));
  });

  it('the committed folders load back here with the committed encodings', async () => {
    const expected = JSON.parse(await readFile(path.join(SAVED, 'expected.json'), 'utf8'));
    for (const name of ['tiny', 'bpe-added']) {
      const tok = await loadTokenizer(path.join(SAVED, name));
      expect(summary(tok), name).toEqual(expected[name]);
    }
  });
});
