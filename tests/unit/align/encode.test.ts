import path from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createEncoder,
  ExampleTooLongError,
  encodeExample,
  encodeFitting,
  IGNORE_INDEX,
  TEXT_CUT_TASKS,
  tooLongText,
} from '../../../electron/engine/align/encode.ts';
import { type AlignExample, METHODS, promptText, type Segment } from '../../../electron/engine/align/example.ts';
import { generateTasks } from '../../../electron/engine/align/generate-tasks.ts';
import { RecxError } from '../../../electron/engine/errors.ts';
import type { ChatMessage } from '../../../electron/engine/llm/chat-template.ts';
import { tinyTokenizerFiles } from '../../../electron/engine/llm/tiny-tokenizer.ts';
import { LoadedTokenizer } from '../../../electron/engine/llm/tokenizer.ts';
import { addSpecialTokens, ITEM_TOKEN, USER_TOKEN } from '../../../electron/engine/llm/tokenizer-added-tokens.ts';
import { loadTokenizer } from '../../../electron/engine/llm/tokenizer-files.ts';
import { FIXTURES } from '../llm/tokenizer-fixtures.ts';
import { type AlignFixture, alignFixture } from './align-fixtures.ts';

const BIG = 100_000;
let fx: AlignFixture;
let examples: AlignExample[];
let ids: { user: number; item: number; eos: number };

beforeAll(async () => {
  fx = await alignFixture();
  examples = [];
  for (const method of METHODS) {
    const set = await generateTasks({
      method,
      exports: fx.exports,
      dataset: fx.dataset,
      recommender: fx.recommender,
      seed: 8,
      counts: Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((t) => [t, { train: 6, test: 2 }])),
    });
    examples.push(...set.examples);
  }
  const tok = fx.tokenizer;
  ids = { user: tok.tokenToId(USER_TOKEN)!, item: tok.tokenToId(ITEM_TOKEN)!, eos: tok.eosTokenId! };
});

const placeholderSegments = (e: AlignExample) =>
  e.segments.flatMap((s) => (s.kind === 'user' || s.kind === 'item' ? [{ kind: s.kind, ref: s.ref }] : []));
const titlesOf = (e: AlignExample) => e.segments.flatMap((s) => (s.kind === 'history' ? s.titles : []));
const withTitles = (e: AlignExample, titles: string[]): AlignExample => ({
  ...e,
  segments: e.segments.map((s): Segment => (s.kind === 'history' ? { kind: 'history', titles } : s)),
});

describe('encodeExample', () => {
  it('labels only the answer tokens and the end of turn; the prompt is the generation prefix', () => {
    const encode = createEncoder(fx.tokenizer, BIG);
    for (const e of examples) {
      const enc = encode(e);
      expect(enc.labels.length).toBe(enc.ids.length);
      expect(enc.labels).toEqual(enc.ids.map((id, k) => (k < enc.answerStart ? IGNORE_INDEX : id)));
      expect(enc.ids.at(-1)).toBe(ids.eos);
      expect(fx.tokenizer.decode(enc.ids.slice(enc.answerStart, -1))).toBe(e.answer);
      expect(enc.prompt.ids).toEqual(enc.ids.slice(0, enc.answerStart));
      expect(enc.prompt.slots).toEqual(enc.slots);
      expect(enc).toMatchObject({ droppedHistoryTitles: 0, cutTextTokens: 0 });
    }
    const first = encode(examples[0]);
    const text = fx.tokenizer.decode(first.ids);
    expect(text.startsWith('<s> <|user|>')).toBe(true);
    expect(text).toContain('<|assistant|>');
  });

  it('gives each placeholder one special token and a slot pointing at it; B has none', () => {
    const encode = createEncoder(fx.tokenizer, BIG);
    for (const e of examples) {
      const enc = encode(e);
      expect(enc.slots.map(({ kind, ref }) => ({ kind, ref }))).toEqual(placeholderSegments(e));
      for (const s of enc.slots) expect(enc.ids[s.position]).toBe(ids[s.kind]);
      const count = enc.ids.filter((id) => id === ids.user || id === ids.item).length;
      expect(count).toBe(enc.slots.length);
      if (e.method === 'B') expect(enc.slots).toEqual([]);
      if (e.method === 'H' && e.task === 1) expect(enc.slots.map((s) => s.kind)).toEqual(['user']);
    }
  });

  it('without a chat template: BOS, prompt, answer, EOS', () => {
    const files = tinyTokenizerFiles(fx.dataset.itemRecords.map((r) => r.title));
    delete files.config.chat_template;
    const tok = new LoadedTokenizer(files, 'plain');
    const e = examples.find((x) => x.method === 'I' && x.task === 3)!;
    const enc = encodeExample(e, tok, BIG);
    expect(enc.ids[0]).toBe(tok.bosTokenId);
    expect(enc.ids.at(-1)).toBe(tok.eosTokenId);
    expect(tok.decode(enc.ids.slice(enc.answerStart))).toBe(`${e.answer} </s>`);
    expect(enc.labels.filter((l) => l !== IGNORE_INDEX).length).toBe(enc.ids.length - enc.answerStart);
    expect(enc.prompt.ids).toEqual(enc.ids.slice(0, enc.answerStart));
  });

  it('with a Llama-3 BPE tokenizer, matches tokenizing the rendered chat as a whole', async () => {
    const tok = await loadTokenizer(path.join(FIXTURES, 'bpe'));
    addSpecialTokens(tok, [USER_TOKEN, ITEM_TOKEN]);
    const encode = createEncoder(tok, BIG);
    const joint = (messages: ChatMessage[], addGenerationPrompt: boolean) =>
      tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt }), { addSpecialTokens: false });
    for (const e of examples) {
      const enc = encode(e);
      const user = { role: 'user', content: promptText(e.segments) };
      expect(enc.ids).toEqual(joint([user, { role: 'assistant', content: e.answer }], false));
      expect(enc.prompt.ids).toEqual(joint([user], true));
      expect(enc.ids.at(-1)).toBe(tok.eosTokenId);
      for (const s of enc.slots)
        expect(enc.ids[s.position]).toBe(tok.tokenToId(s.kind === 'user' ? USER_TOKEN : ITEM_TOKEN));
    }
  });

  it('refuses text that would tokenize into a placeholder, and a maxLen below the fixed parts', () => {
    const e = examples.find((x) => x.method === 'B' && x.task === 1)!;
    const bad = { ...e, segments: [{ kind: 'text' as const, text: `Hello ${USER_TOKEN} there` }] };
    expect(() => encodeExample(bad, fx.tokenizer, BIG)).toThrow(RecxError);
    expect(() => encodeExample(e, fx.tokenizer, 3)).toThrow(/cannot hold/);
    expect(() => createEncoder(fx.tokenizer, 0)).toThrow(RangeError);
  });
});

describe('truncation', () => {
  it('drops the oldest history titles first, then cuts free text (tasks 4, 5) or refuses; keeps every placeholder with its slot and the whole answer', () => {
    const full = examples.map((e) => encodeExample(e, fx.tokenizer, BIG));
    const seen = { refused: 0, dropped: 0, cut: 0, untouched: 0 };
    fc.assert(
      fc.property(fc.nat(examples.length - 1), fc.integer({ min: 0, max: 1050 }), (k, permille) => {
        const e = examples[k];
        const ref = full[k];
        const answerLen = ref.ids.length - ref.answerStart;
        const placeholders = ref.slots.length;
        // Template parts around the prompt: the tiny template's "<s> <|user|>" and "</s> <|assistant|>".
        const floor = answerLen + placeholders + 4;
        const maxLen = Math.max(1, Math.round(floor - 3 + (permille / 1000) * (ref.ids.length - floor + 3)));
        const historyFree = encodeExample(withTitles(e, []), fx.tokenizer, BIG).ids.length;
        if (maxLen < floor || (maxLen < historyFree && !TEXT_CUT_TASKS.has(e.task))) {
          expect(() => encodeExample(e, fx.tokenizer, maxLen)).toThrow(ExampleTooLongError);
          seen.refused++;
          return;
        }
        const enc = encodeExample(e, fx.tokenizer, maxLen);
        expect(enc.ids.length).toBeLessThanOrEqual(maxLen);
        expect(enc.ids.slice(enc.answerStart)).toEqual(ref.ids.slice(ref.answerStart));
        expect(enc.labels.slice(enc.answerStart)).toEqual(ref.labels.slice(ref.answerStart));
        expect(enc.labels.slice(0, enc.answerStart).every((l) => l === IGNORE_INDEX)).toBe(true);
        expect(enc.slots.map(({ kind, ref }) => ({ kind, ref }))).toEqual(placeholderSegments(e));
        for (const s of enc.slots) expect(enc.ids[s.position]).toBe(ids[s.kind]);
        expect(enc.ids.filter((id) => id === ids.user || id === ids.item).length).toBe(placeholders);
        if (maxLen >= ref.ids.length) expect(enc).toEqual(ref);
        const titles = titlesOf(e);
        if (enc.cutTextTokens > 0) seen.cut++;
        else if (enc.droppedHistoryTitles > 0) seen.dropped++;
        else seen.untouched++;
        if (enc.cutTextTokens > 0) expect(enc.droppedHistoryTitles).toBe(titles.length);
        else {
          // Same tokens as the example with its oldest titles removed.
          const kept = withTitles(e, titles.slice(enc.droppedHistoryTitles));
          expect(encodeExample(kept, fx.tokenizer, BIG).ids).toEqual(enc.ids);
          if (enc.droppedHistoryTitles > 0) {
            const oneLess = withTitles(e, titles.slice(enc.droppedHistoryTitles - 1));
            expect(encodeExample(oneLess, fx.tokenizer, BIG).ids.length).toBeGreaterThan(maxLen);
          }
        }
      }),
      { numRuns: 150, seed: 17 },
    );
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(5);
  });
});

describe('examples too long for maxLen', () => {
  it('a ranking prompt is refused rather than cut: its candidates stay whole', () => {
    const e = examples.find((x) => x.method === 'B' && x.task === 2)!;
    const historyFree = encodeExample(withTitles(e, []), fx.tokenizer, BIG);
    expect(encodeExample(e, fx.tokenizer, historyFree.ids.length).ids).toEqual(historyFree.ids);
    const err = (() => {
      try {
        encodeExample(e, fx.tokenizer, historyFree.ids.length - 1);
      } catch (x) {
        return x;
      }
    })();
    expect(err).toBeInstanceOf(ExampleTooLongError);
    expect(err).toMatchObject({ task: 2, tokens: historyFree.ids.length, maxLen: historyFree.ids.length - 1 });
    expect((err as Error).message).toMatch(/task 2's example needs \d+ tokens even without its history/);
  });

  it('encodeFitting keeps the examples that fit, counts the others per task, and passes other errors on', () => {
    const two = examples.filter((x) => x.method === 'B' && (x.task === 2 || x.task === 3));
    const limit = Math.max(
      ...two.filter((x) => x.task === 3).map((x) => encodeExample(x, fx.tokenizer, BIG).ids.length),
    );
    const encode = createEncoder(fx.tokenizer, limit);
    const longRanking = two.filter(
      (x) => x.task === 2 && encodeExample(withTitles(x, []), fx.tokenizer, BIG).ids.length > limit,
    ).length;
    expect(longRanking).toBeGreaterThan(0);
    const r = encodeFitting(two, encode);
    expect(r.tooLong).toEqual({ 2: longRanking });
    expect(r.fitting.length).toBe(two.length - longRanking);
    for (const f of r.fitting) expect(f.encoded.ids.length).toBeLessThanOrEqual(limit);
    expect(tooLongText(r.tooLong, two)).toBe(`task 2: ${longRanking} of ${two.filter((x) => x.task === 2).length}`);
    expect(tooLongText({}, two)).toBeNull();
    const bad = { ...two[0], segments: [{ kind: 'text' as const, text: `Hi ${USER_TOKEN}` }] };
    expect(() => encodeFitting([bad], encode)).toThrow(RecxError);
  });
});
