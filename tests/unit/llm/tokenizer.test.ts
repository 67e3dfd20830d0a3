import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../../electron/engine/errors.ts';
import { LoadedTokenizer } from '../../../electron/engine/llm/tokenizer.ts';
import { loadTokenizer } from '../../../electron/engine/llm/tokenizer-files.ts';
import { type Expected, FIXTURES, readExpected, type TokenizerCase } from './tokenizer-fixtures.ts';

let expected: Expected;
let bpe: LoadedTokenizer;
let scratch: string;

beforeAll(async () => {
  expected = await readExpected();
  bpe = await loadTokenizer(path.join(FIXTURES, 'bpe'));
  scratch = await mkdtemp(path.join(tmpdir(), 'recx-tokenizer-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

function expectLikeTransformers(tok: LoadedTokenizer, rows: TokenizerCase[]) {
  for (const row of rows) {
    const ids = tok.encode(row.text);
    expect(ids, row.text).toEqual(row.ids);
    expect(tok.encode(row.text, { addSpecialTokens: false }), row.text).toEqual(row.idsNoSpecial);
    expect(tok.decode(ids), row.text).toBe(row.decoded);
    expect(tok.decode(ids, { skipSpecialTokens: true }), row.text).toBe(row.decodedSkipSpecial);
  }
}

describe('loadTokenizer on a real byte-level BPE (Llama-3 layout, made by HF tokenizers)', () => {
  it('encodes and decodes exactly as transformers.AutoTokenizer', () => {
    expectLikeTransformers(bpe, expected.bpe.encodings);
  });

  it('exposes vocabulary size, special token ids and added tokens', () => {
    expect(bpe.vocabSize).toBe(expected.bpe.vocabSize);
    expect(bpe.bosTokenId).toBe(expected.bpe.bosTokenId);
    expect(bpe.eosTokenId).toBe(expected.bpe.eosTokenId);
    expect(bpe.padTokenId).toBeNull();
    expect(bpe.unkTokenId).toBeNull();
    expect(bpe.specialTokens).toMatchObject({ bos: '<|begin_of_text|>', eos: '<|eot_id|>', pad: null, unk: null });
    expect(bpe.addedTokens.map((t) => t.content)).toContain('<|start_header_id|>');
    expect(bpe.addedTokens.every((t) => t.special)).toBe(true);
    expect(bpe.specialTokenIds).toEqual(bpe.addedTokens.map((t) => t.id));
    expect(bpe.idToToken(bpe.bosTokenId!)).toBe('<|begin_of_text|>');
    expect(bpe.tokenToId('not-a-token-at-all')).toBeNull();
  });

  it('keeps spaces before punctuation: clean_up_tokenization_spaces is ignored for BPE, as in transformers 5', () => {
    const text = 'here . And , there !';
    expect(bpe.decode(bpe.encode(text, { addSpecialTokens: false }))).toBe(text);
  });

  it('decodes an empty list to "" and skips ids outside the vocabulary', () => {
    expect(bpe.decode([])).toBe('');
    const ids = bpe.encode('Heat', { addSpecialTokens: false });
    expect(bpe.decode([...ids, 99_999, -1])).toBe('Heat');
  });
});

describe('chat templates', () => {
  it('renders the Llama-3-Instruct template from tokenizer_config.json like apply_chat_template', () => {
    const { chat } = expected.bpe;
    expect(bpe.hasChatTemplate).toBe(true);
    expect(bpe.applyChatTemplate(chat.messages)).toBe(chat.llama3);
    expect(bpe.applyChatTemplate(chat.messages.slice(0, 2), { addGenerationPrompt: true })).toBe(chat.llama3Generation);
  });

  it('renders the Qwen2-Instruct template (default system prompt) like apply_chat_template', () => {
    const { chat } = expected.bpe;
    const files = bpe.files();
    files.config.chat_template = chat.qwen2Template;
    const qwen = new LoadedTokenizer(files, 'qwen2-config');
    expect(qwen.applyChatTemplate(chat.messages.slice(1))).toBe(chat.qwen2);
    expect(qwen.applyChatTemplate(chat.messages.slice(1, 2), { addGenerationPrompt: true })).toBe(chat.qwen2Generation);
  });

  it('prefers chat_template.jinja, and says clearly when there is no template', () => {
    const files = bpe.files();
    const jinja = new LoadedTokenizer({ ...files, chatTemplate: '{{ bos_token }}{{ messages[0].content }}' }, 'x');
    expect(jinja.applyChatTemplate([{ role: 'user', content: 'hi' }])).toBe('<|begin_of_text|>hi');
    delete files.config.chat_template;
    const none = new LoadedTokenizer(files, 'no-template-dir');
    expect(none.hasChatTemplate).toBe(false);
    expect(() => none.applyChatTemplate([{ role: 'user', content: 'hi' }])).toThrow(
      /no-template-dir: .*no chat template/,
    );
    expect(() => none.applyChatTemplate([{ role: 'user', content: 'hi' }])).toThrow(InputError);
  });

  it('names the file when a template does not parse or raises', () => {
    const files = bpe.files();
    files.config.chat_template = '{% for m in messages %}{{ m.content }';
    expect(() => new LoadedTokenizer(files, 'bad').applyChatTemplate([])).toThrow(
      /bad\/tokenizer_config\.json: .*parse/,
    );
    files.config.chat_template = "{{ raise_exception('roles must alternate') }}";
    expect(() => new LoadedTokenizer(files, 'bad').applyChatTemplate([])).toThrow(/roles must alternate/);
  });
});

describe('WordLevel: the unknown-token workaround', () => {
  it('maps out-of-vocabulary words to the unknown id (the library alone returns null)', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'wordlevel'));
    expect(tok.unkTokenId).toBe(expected.wordlevel.unkTokenId);
    expectLikeTransformers(tok, expected.wordlevel.encodings);
    for (const id of tok.encode('Toy Story Zyxwvut qqq')) expect(Number.isInteger(id)).toBe(true);
  });

  it('works whatever form tokenizer_config.json gives unk_token in, or none', async () => {
    const base = (await loadTokenizer(path.join(FIXTURES, 'wordlevel'))).files();
    for (const unk of [undefined, '[UNK]', { content: '[UNK]' }]) {
      const config = { ...base.config, unk_token: unk };
      const tok = new LoadedTokenizer({ ...base, config }, 'wordlevel');
      expect(tok.encode('Heat Zyxwvut')).toEqual([tok.tokenToId('Heat'), 0]);
      expect(tok.unkTokenId).toBe(0);
    }
  });

  it('errors naming the folder when a word is unknown and there is no unknown token', async () => {
    const files = (await loadTokenizer(path.join(FIXTURES, 'wordlevel'))).files();
    delete (files.tokenizer.model as Record<string, unknown>).unk_token;
    files.config = {};
    const tok = new LoadedTokenizer(files, 'no-unk-dir');
    expect(tok.encode('Heat')).toEqual([tok.tokenToId('Heat')]);
    expect(() => tok.encode('Heat Zyxwvut')).toThrow(/no-unk-dir: "Zyxwvut" is not in the vocabulary/);
  });
});

describe('bad tokenizer folders', () => {
  async function folder(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(scratch, name);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(path.join(dir, file), text);
    return dir;
  }
  const good = JSON.stringify({
    pre_tokenizer: { type: 'WhitespaceSplit' },
    model: { type: 'WordLevel', vocab: { a: 0, '[UNK]': 1 }, unk_token: '[UNK]' },
  });

  it('missing tokenizer.json', async () => {
    const dir = await folder('missing', {});
    await expect(loadTokenizer(dir)).rejects.toThrow(InputError);
    await expect(loadTokenizer(dir)).rejects.toThrow(`${path.join(dir, 'tokenizer.json')}: not found`);
  });

  it.each([
    ['not JSON', '{"model": ', /tokenizer\.json: not valid JSON/],
    ['not an object', '[1, 2]', /tokenizer\.json: expected a JSON object/],
    ['no model', '{"added_tokens": []}', /tokenizer\.json: not a tokenizer\.json \(.* at model\)/],
    ['bad added token', '{"model": {}, "added_tokens": [{"id": -1}]}', /tokenizer\.json: not a tokenizer\.json/],
    ['unknown model type', '{"model": {"type": "Nope"}}', /tokenizer\.json: unsupported or malformed tokenizer/],
  ])('corrupt tokenizer.json (%s)', async (name, text, message) => {
    const dir = await folder(`corrupt-${name.replaceAll(' ', '-')}`, { 'tokenizer.json': text });
    const error = await loadTokenizer(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain(dir);
  });

  it('corrupt tokenizer_config.json and special_tokens_map.json are named', async () => {
    const a = await folder('bad-config', { 'tokenizer.json': good, 'tokenizer_config.json': '{oops' });
    await expect(loadTokenizer(a)).rejects.toThrow(`${path.join(a, 'tokenizer_config.json')}: not valid JSON`);
    const b = await folder('bad-map', { 'tokenizer.json': good, 'special_tokens_map.json': '"x"' });
    await expect(loadTokenizer(b)).rejects.toThrow(
      `${path.join(b, 'special_tokens_map.json')}: expected a JSON object`,
    );
  });

  it('loads without tokenizer_config.json', async () => {
    const dir = await folder('no-config', { 'tokenizer.json': good });
    const tok = await loadTokenizer(dir);
    expect(tok.encode('a b')).toEqual([0, 1]);
    expect(tok.source).toBe(dir);
  });
});
