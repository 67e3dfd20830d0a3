import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecxError } from '../../../electron/engine/errors.ts';
import { LoadedTokenizer } from '../../../electron/engine/llm/tokenizer.ts';
import {
  addSpecialTokens,
  ITEM_TOKEN,
  resizeEmbeddingRows,
  USER_TOKEN,
} from '../../../electron/engine/llm/tokenizer-added-tokens.ts';
import { loadTokenizer, saveTokenizer } from '../../../electron/engine/llm/tokenizer-files.ts';
import { type Expected, FIXTURES, readExpected } from './tokenizer-fixtures.ts';

let expected: Expected;
let scratch: string;

beforeAll(async () => {
  expected = await readExpected();
  scratch = await mkdtemp(path.join(tmpdir(), 'recx-added-tokens-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

const readJson = async (file: string) => JSON.parse(await readFile(file, 'utf8'));

describe('addSpecialTokens', () => {
  it('appends <user> and <item> after the vocabulary with the ids transformers gives them', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    const before = tok.vocabSize;
    const ids = addSpecialTokens(tok, [USER_TOKEN, ITEM_TOKEN]);
    expect(ids).toEqual(expected.bpeAdded.ids);
    expect(ids).toEqual([before, before + 1]);
    expect(tok.vocabSize).toBe(expected.bpeAdded.vocabSize);
    expect(tok.specialTokens.additional).toEqual([USER_TOKEN, ITEM_TOKEN]);
    expect(tok.specialTokenIds).toEqual(expect.arrayContaining(ids));
  });

  it('never splits them, whatever surrounds them, and encodes/decodes like transformers', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    const [user, item] = addSpecialTokens(tok, [USER_TOKEN, ITEM_TOKEN]);
    for (const row of expected.bpeAdded.encodings) {
      expect(tok.encode(row.text), row.text).toEqual(row.ids);
      expect(tok.encode(row.text, { addSpecialTokens: false }), row.text).toEqual(row.idsNoSpecial);
      expect(tok.decode(row.ids), row.text).toBe(row.decoded);
      expect(tok.decode(row.ids, { skipSpecialTokens: true }), row.text).toBe(row.decodedSkipSpecial);
    }
    expect(tok.encode("<user>'s history", { addSpecialTokens: false })[0]).toBe(user);
    expect(tok.encode('a<item><item>b', { addSpecialTokens: false }).filter((id) => id === item)).toHaveLength(2);
    expect(tok.tokenize('see <user> now')).toContain(USER_TOKEN);
    expect(tok.decode([user, item])).toBe('<user><item>');
  });

  it('is idempotent, and keeps the id of a token already in the vocabulary', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'wordlevel'));
    const heat = tok.tokenToId('Heat')!;
    const size = tok.vocabSize;
    const first = addSpecialTokens(tok, [USER_TOKEN, 'Heat']);
    expect(first).toEqual([size, heat]);
    expect(addSpecialTokens(tok, [USER_TOKEN, 'Heat'])).toEqual(first);
    expect(tok.vocabSize).toBe(size + 1);
    expect(tok.specialTokens.additional).toEqual([USER_TOKEN, 'Heat']);
    expect(tok.decode(tok.encode('Heat and'), { skipSpecialTokens: true })).toBe('and');
  });

  it('refuses empty or space-padded tokens', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    expect(() => addSpecialTokens(tok, [''])).toThrow(RecxError);
    expect(() => addSpecialTokens(tok, [' <user>'])).toThrow(/surrounding spaces/);
  });

  it('keeps the extra_special_tokens list of a transformers-5 folder', async () => {
    const files = (await loadTokenizer(path.join(FIXTURES, 'bpe'))).files();
    files.config.extra_special_tokens = ['<|im_start|>'];
    const tok = new LoadedTokenizer(files, 'v5');
    addSpecialTokens(tok, [USER_TOKEN]);
    expect(tok.files().config.extra_special_tokens).toEqual(['<|im_start|>', USER_TOKEN]);
    expect(tok.files().config.additional_special_tokens).toBeUndefined();
  });
});

describe('saveTokenizer after adding tokens', () => {
  it('writes them as special added tokens and loads back with identical encodings', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    const ids = addSpecialTokens(tok, [USER_TOKEN, ITEM_TOKEN]);
    const dir = path.join(scratch, 'bpe-added');
    await saveTokenizer(dir, tok);

    const json = await readJson(path.join(dir, 'tokenizer.json'));
    expect(json.added_tokens.slice(-2)).toEqual([
      {
        id: ids[0],
        content: USER_TOKEN,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
      {
        id: ids[1],
        content: ITEM_TOKEN,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: true,
      },
    ]);
    const config = await readJson(path.join(dir, 'tokenizer_config.json'));
    expect(config.added_tokens_decoder[String(ids[0])]).toMatchObject({ content: USER_TOKEN, special: true });
    expect(config.additional_special_tokens).toEqual([USER_TOKEN, ITEM_TOKEN]);
    expect(config.chat_template).toContain('<|start_header_id|>');
    const map = await readJson(path.join(dir, 'special_tokens_map.json'));
    expect(map).toMatchObject({ bos_token: '<|begin_of_text|>', additional_special_tokens: [USER_TOKEN, ITEM_TOKEN] });

    const back = await loadTokenizer(dir);
    expect(back.vocabSize).toBe(tok.vocabSize);
    expect(back.addedTokens).toEqual(tok.addedTokens);
    for (const text of [...expected.bpe.encodings, ...expected.bpeAdded.encodings].map((r) => r.text)) {
      expect(back.encode(text), text).toEqual(tok.encode(text));
      expect(back.decode(back.encode(text)), text).toBe(tok.decode(tok.encode(text)));
    }
    expect(back.applyChatTemplate(expected.bpe.chat.messages)).toBe(expected.bpe.chat.llama3);
  });

  it('keeps a chat_template.jinja template in that file and removes a stale one otherwise', async () => {
    const files = (await loadTokenizer(path.join(FIXTURES, 'bpe'))).files();
    const dir = path.join(scratch, 'jinja');
    await saveTokenizer(dir, new LoadedTokenizer({ ...files, chatTemplate: '{{ bos_token }}' }, 'x'));
    expect(await readFile(path.join(dir, 'chat_template.jinja'), 'utf8')).toBe('{{ bos_token }}');
    expect((await readJson(path.join(dir, 'tokenizer_config.json'))).chat_template).toBeUndefined();
    expect((await loadTokenizer(dir)).applyChatTemplate([])).toBe('<|begin_of_text|>');

    await writeFile(path.join(dir, 'chat_template.jinja'), 'stale');
    await saveTokenizer(dir, new LoadedTokenizer(files, 'y'));
    expect((await loadTokenizer(dir)).applyChatTemplate(expected.bpe.chat.messages)).toBe(expected.bpe.chat.llama3);
  });
});

describe('resizeEmbeddingRows', () => {
  it('copies the existing rows and fills new ones with their mean', () => {
    const table = Float32Array.from([1, 2, 3, 4, 5, 6, -2, 0, 9]); // [3, 3]
    const out = resizeEmbeddingRows(table, 3, 3, 5);
    expect(out).toHaveLength(15);
    expect([...out.subarray(0, 9)]).toEqual([...table]);
    expect([...out.subarray(9, 12)]).toEqual([1, 7 / 3, 6].map(Math.fround));
    expect([...out.subarray(12, 15)]).toEqual([...out.subarray(9, 12)]);
    expect(table).toHaveLength(9);
  });

  it('serves an untied LM head the same way, and is a copy when nothing grows', () => {
    const head = Float32Array.from({ length: 4 * 2 }, (_, i) => i);
    const grown = resizeEmbeddingRows(head, 4, 2, 6);
    expect([...grown.subarray(8)]).toEqual([3, 4, 3, 4]);
    const same = resizeEmbeddingRows(head, 4, 2, 4);
    expect(same).toEqual(head);
    expect(same).not.toBe(head);
  });

  it('accumulates the mean in float64', () => {
    const rows = 100_000;
    const table = new Float32Array(rows).fill(0.1);
    table[0] = 1e7;
    const out = resizeEmbeddingRows(table, rows, 1, rows + 1);
    expect(out[rows]).toBeCloseTo((1e7 + (rows - 1) * Math.fround(0.1)) / rows, 3);
  });

  it('rejects inconsistent shapes and shrinking', () => {
    expect(() => resizeEmbeddingRows(new Float32Array(6), 3, 3, 4)).toThrow(/6 values, expected 3 x 3/);
    expect(() => resizeEmbeddingRows(new Float32Array(9), 3, 3, 2)).toThrow(/newRows/);
    expect(() => resizeEmbeddingRows(new Float32Array(0), 0, 3, 2)).toThrow(/positive/);
  });
});
