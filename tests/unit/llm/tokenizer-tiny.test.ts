import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecxError } from '../../../electron/engine/errors.ts';
import {
  buildTinyTokenizer,
  TINY_SPECIAL_TOKENS,
  tinyTokenizerFiles,
} from '../../../electron/engine/llm/tiny-tokenizer.ts';
import { addSpecialTokens, ITEM_TOKEN, USER_TOKEN } from '../../../electron/engine/llm/tokenizer-added-tokens.ts';
import { loadTokenizer, saveTokenizer } from '../../../electron/engine/llm/tokenizer-files.ts';
import { TINY_CORPUS, TITLES } from './tokenizer-fixtures.ts';

const tok = buildTinyTokenizer(TINY_CORPUS);
const id = (token: string) => tok.tokenToId(token)!;
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'recx-tiny-tokenizer-'));
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

describe('buildTinyTokenizer: round trips', () => {
  it('gives back every corpus title exactly', () => {
    for (const title of TITLES) {
      const ids = tok.encode(title);
      expect(ids[0]).toBe(tok.bosTokenId);
      expect(tok.decode(ids, { skipSpecialTokens: true }), title).toBe(title);
      expect(tok.decode(ids), title).toBe(`<s> ${title}`);
    }
  });

  it('spells unseen words from characters and still gives them back exactly', () => {
    for (const title of ['Zyzzyva Quux: Return of the Blorp (2031)', 'x-y_z {a} |b| ~c^ `d` <e> @f=g+h;']) {
      const ids = tok.encode(title, { addSpecialTokens: false });
      expect(ids).not.toContain(tok.unkTokenId);
      expect(tok.decode(ids)).toBe(title);
    }
  });

  it('round-trips any single-spaced printable-ASCII text (property)', () => {
    const word = fc.stringMatching(/^[!-~]{1,12}$/);
    const text = fc
      .array(word, { minLength: 1, maxLength: 6 })
      .map((ws) => ws.join(' '))
      .filter((s) => !TINY_SPECIAL_TOKENS.some((t) => s.includes(t)) && !/(^| )##/.test(s));
    fc.assert(
      fc.property(text, (s) => tok.decode(tok.encode(s)) === `<s> ${s}`),
      { numRuns: 300, seed: 7 },
    );
  });

  it('documents what decoding loses: whitespace runs, newlines, edges, spacing around special tokens', () => {
    expect(tok.decode(tok.encode('  Toy\t\tStory\n(1995)  ', { addSpecialTokens: false }))).toBe('Toy Story (1995)');
    expect(tok.decode(tok.encode("<user>'s history", { addSpecialTokens: false }))).toBe("<user> 's history");
    // A chunk that starts with the continuation prefix "##" (as in BERT) joins the previous one.
    expect(tok.decode(tok.encode('a ##b', { addSpecialTokens: false }))).toBe('ab');
  });
});

describe('buildTinyTokenizer: vocabulary', () => {
  it('has one token per known word and numbers as digit sequences', () => {
    expect(tok.tokenize('Toy Story (1995)')).toEqual(['Toy', 'Story', '(', '##1', '##9', '##9', '##5', '##)']);
    expect(tok.tokenize('2024')).toEqual(['2', '##0', '##2', '##4']);
    const vocab = Array.from({ length: tok.vocabSize }, (_, i) => tok.idToToken(i)!);
    const withDigits = vocab.filter((t) => /\d/.test(t.replace(/^##/, '')) && t.replace(/^##/, '').length > 1);
    expect(withDigits).toEqual([]);
  });

  it('puts the special tokens first, in a fixed order, as single never-split special ids', () => {
    expect(TINY_SPECIAL_TOKENS.map(id)).toEqual(TINY_SPECIAL_TOKENS.map((_, i) => i));
    expect(tok.specialTokens).toMatchObject({ bos: '<s>', eos: '</s>', pad: '<pad>', unk: '<unk>' });
    expect([tok.padTokenId, tok.unkTokenId, tok.bosTokenId, tok.eosTokenId]).toEqual([0, 1, 2, 3]);
    expect(tok.specialTokenIds).toEqual(TINY_SPECIAL_TOKENS.map((_, i) => i));
    expect(tok.encode("<user>'s history", { addSpecialTokens: false })).toEqual([
      id(USER_TOKEN),
      id("'"),
      id('##s'),
      id('history'),
    ]);
    expect(tok.encode('x<item>y <s></s>', { addSpecialTokens: false })).toEqual([
      id('x'),
      id(ITEM_TOKEN),
      id('y'),
      2,
      3,
    ]);
    expect(tok.decode(tok.encode('The <user> likes <item> .'), { skipSpecialTokens: true })).toBe('The likes .');
  });

  it('maps never-seen characters to <unk>, never to null', () => {
    const ids = tok.encode('naïve 🙂 the', { addSpecialTokens: false });
    expect(ids).toEqual([1, 1, id('the')]);
    expect(tok.decode(ids)).toBe('<unk> <unk> the');
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('the');
  });

  it('keeps glue words in both cases and corpus words seen at least minCount times', () => {
    for (const w of ['the', 'The', 'because', 'Because', 'recommend', 'Recommend'])
      expect(tok.tokenToId(w), w).not.toBeNull();
    expect(tok.tokenToId('Story')).not.toBeNull(); // in many corpus lines
    const once = buildTinyTokenizer(['Zorblax twice twice'], { minCount: 2 });
    expect(once.tokenToId('twice')).not.toBeNull();
    expect(once.tokenToId('Zorblax')).toBeNull();
    expect(buildTinyTokenizer(['Zorblax'], { minCount: 1 }).tokenToId('Zorblax')).not.toBeNull();
    expect(once.decode(once.encode('Zorblax', { addSpecialTokens: false }))).toBe('Zorblax');
  });

  it('ranks corpus words by count then code point, up to maxVocab', () => {
    const corpus = ['bb bb bb aa aa cc cc zz zz yy yy'];
    const base = buildTinyTokenizer([], {}).vocabSize;
    const capped = buildTinyTokenizer(corpus, { minCount: 1, maxVocab: base + 3 });
    expect(capped.vocabSize).toBe(base + 3);
    expect([base, base + 1, base + 2].map((i) => capped.idToToken(i))).toEqual(['bb', 'aa', 'cc']);
    expect(capped.tokenToId('zz')).toBeNull();
  });

  it('is deterministic: same files whatever the corpus order', () => {
    const a = tinyTokenizerFiles(TINY_CORPUS);
    const b = tinyTokenizerFiles([...TINY_CORPUS].reverse());
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
  });

  it('rejects options it cannot honour', () => {
    expect(() => buildTinyTokenizer(TINY_CORPUS, { maxVocab: 50 })).toThrow(RecxError);
    expect(() => buildTinyTokenizer(TINY_CORPUS, { maxVocab: 50 })).toThrow(/maxVocab 50 is below/);
    expect(() => buildTinyTokenizer(TINY_CORPUS, { minCount: 0 })).toThrow(/minCount/);
  });
});

describe('buildTinyTokenizer: chat template, added tokens, files', () => {
  const messages = [
    { role: 'system', content: 'You explain recommendations.' },
    { role: 'user', content: ' Which movie next? ' },
    { role: 'assistant', content: 'Toy Story (1995)' },
  ];

  it('renders its chat template with role markers and </s> after each turn', () => {
    expect(tok.applyChatTemplate(messages.slice(0, 2), { addGenerationPrompt: true })).toBe(
      '<s><|system|> You explain recommendations. </s> <|user|> Which movie next? </s> <|assistant|>',
    );
    const ids = tok.encode(tok.applyChatTemplate(messages), { addSpecialTokens: false });
    expect(ids.slice(0, 2)).toEqual([tok.bosTokenId, id('<|system|>')]);
    expect(ids.at(-1)).toBe(tok.eosTokenId);
    expect(() => tok.applyChatTemplate([{ role: 'tool', content: 'x' }])).toThrow(/Unknown chat role: tool/);
  });

  it('already holds <user> and <item>: adding them changes nothing', () => {
    const copy = buildTinyTokenizer(TINY_CORPUS);
    const size = copy.vocabSize;
    expect(addSpecialTokens(copy, [USER_TOKEN, ITEM_TOKEN])).toEqual([id(USER_TOKEN), id(ITEM_TOKEN)]);
    expect(copy.vocabSize).toBe(size);
  });

  it('saves a standard tokenizer folder that loads back through loadTokenizer identically', async () => {
    const dir = path.join(scratch, 'tiny');
    await saveTokenizer(dir, tok);
    const json = JSON.parse(await readFile(path.join(dir, 'tokenizer.json'), 'utf8'));
    expect(json.model.type).toBe('WordPiece');
    expect(json.added_tokens.map((t: { content: string }) => t.content)).toEqual(TINY_SPECIAL_TOKENS);
    const back = await loadTokenizer(dir);
    expect(back.vocabSize).toBe(tok.vocabSize);
    for (const text of [...TITLES, ...TINY_CORPUS, 'naïve 🙂 <user> <item> Zyzzyva']) {
      expect(back.encode(text), text).toEqual(tok.encode(text));
      expect(back.decode(back.encode(text)), text).toBe(tok.decode(tok.encode(text)));
    }
    expect(back.applyChatTemplate(messages)).toBe(tok.applyChatTemplate(messages));
    expect(back.specialTokenIds).toEqual(tok.specialTokenIds);
  });
});
