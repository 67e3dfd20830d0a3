import { beforeAll, describe, expect, it } from 'vitest';
import {
  type AlignExample,
  HISTORY_SEPARATOR,
  METHODS,
  type Method,
  promptText,
  type TaskId,
} from '../../../electron/engine/align/example.ts';
import {
  type AlignTaskSet,
  DEFAULT_TASK_COUNTS,
  DEFAULT_TRAIN_COUNTS,
  generateTasks,
} from '../../../electron/engine/align/generate-tasks.ts';
import {
  attributeText,
  DISCRIMINATION_FRAMES,
  HISTORY_FRAMES,
  INTEREST_FRAMES,
  NEXT_ITEM_FRAMES,
  RANKING_FRAMES,
  RATIONALE_FRAMES,
  REPLAY_FRAMES,
} from '../../../electron/engine/align/templates.ts';
import { itemSentences } from '../../../electron/engine/llm/tiny-corpus.ts';
import { anchorHistory, NUM_CANDIDATES } from '../../../electron/engine/recommender/export/index.ts';
import { type AlignFixture, alignFixture } from './align-fixtures.ts';

const COUNTS = { train: 60, test: 20 };
const counts = Object.fromEntries([1, 2, 3, 4, 5, 6, 7].map((t) => [t, COUNTS]));

let fx: AlignFixture;
const sets = {} as Record<Method, AlignTaskSet>;
const generate = (method: Method, seed = 1) =>
  generateTasks({
    method,
    exports: fx.exports,
    dataset: fx.dataset,
    recommender: fx.recommender,
    seed,
    counts,
    scoreBatchSize: 64,
  });

beforeAll(async () => {
  fx = await alignFixture();
  for (const m of METHODS) sets[m] = await generate(m);
});

const title = (item: number) => fx.dataset.itemRecords[item - 1].title;
const of = (m: Method, task: TaskId) => sets[m].examples.filter((e) => e.task === task);
const history = (e: AlignExample) =>
  anchorHistory(fx.dataset, fx.exports.user[e.anchor], fx.exports.position[e.anchor]);
const lastTitles = (e: AlignExample) => Array.from(history(e).slice(-9), title);

describe('generateTasks: the set', () => {
  it('has the asked counts per task and split; B has no task 6', () => {
    for (const m of METHODS) {
      const tasks = m === 'B' ? [1, 2, 3, 4, 5, 7] : [1, 2, 3, 4, 5, 6, 7];
      expect(Object.keys(sets[m].counts).map(Number)).toEqual(tasks);
      for (const t of tasks) expect(sets[m].counts[t as TaskId]).toEqual(COUNTS);
      expect(sets[m].notes).toEqual([]);
    }
  });

  it('training anchors give train examples, test anchors test examples, never shared', () => {
    for (const m of METHODS) {
      const train = new Set<number>();
      const test = new Set<number>();
      for (const e of sets[m].examples) {
        if (e.task === 5) continue;
        expect(fx.exports.isTest[e.anchor]).toBe(e.split === 'test' ? 1 : 0);
        expect(e.user).toBe(fx.exports.user[e.anchor]);
        (e.split === 'test' ? test : train).add(e.anchor);
      }
      expect([...test].filter((a) => train.has(a))).toEqual([]);
      expect(test.size).toBeGreaterThan(0);
    }
  });

  it('is deterministic by seed and uses the same anchors for every method', async () => {
    expect(await generate('H')).toEqual(sets.H);
    const other = await generate('H', 2);
    expect(other.examples.map((e) => e.anchor)).not.toEqual(sets.H.examples.map((e) => e.anchor));
    for (const t of [1, 2, 3, 7] as TaskId[]) {
      expect(of('B', t).map((e) => e.anchor)).toEqual(of('I', t).map((e) => e.anchor));
    }
  });

  it('uses at least 8 phrasings per task and method; every list holds at least 8', () => {
    for (const list of [
      NEXT_ITEM_FRAMES,
      RANKING_FRAMES,
      INTEREST_FRAMES,
      REPLAY_FRAMES,
      HISTORY_FRAMES,
      RATIONALE_FRAMES,
      ...Object.values(DISCRIMINATION_FRAMES),
    ]) {
      expect(list.length).toBeGreaterThanOrEqual(8);
      expect(new Set(list).size).toBe(list.length);
    }
    for (const m of METHODS) {
      for (const t of Object.keys(sets[m].counts).map(Number) as TaskId[]) {
        const used = new Set(of(m, t).map((e) => `${e.meta.variant ?? ''}${e.meta.template}`));
        expect(used.size, `method ${m} task ${t}`).toBeGreaterThanOrEqual(8);
      }
    }
  });

  it('reports tasks it cannot fill and skips task 7 without a scoring recommender', async () => {
    const set = await generateTasks({
      method: 'B',
      exports: fx.exports,
      dataset: fx.dataset,
      seed: 1,
      tasks: [1, 6, 7],
      counts: { 1: { train: 5, test: 1000 } },
    });
    expect(set.counts).toEqual({ 1: { train: 5, test: fx.dataset.numUsers } });
    expect(set.notes.join('\n')).toMatch(/task 6 .* not trained for method B/);
    expect(set.notes.join('\n')).toMatch(/task 7 .*skipped/);
    expect(set.notes.join('\n')).toMatch(/task 1 .*: 40 of 1000 test examples/);
  });
});

describe('method formats', () => {
  const placeholders = (e: AlignExample) => e.segments.filter((s) => s.kind === 'user' || s.kind === 'item');

  it('B shows titles and no placeholders', () => {
    for (const e of sets.B.examples) {
      expect(placeholders(e)).toEqual([]);
      if ([1, 2, 3, 7].includes(e.task)) {
        const h = e.segments.find((s) => s.kind === 'history');
        expect(h).toEqual({ kind: 'history', titles: lastTitles(e) });
      }
    }
  });

  it('I shows <user> (ref = anchor) and <item> (ref = item), never the history titles', () => {
    for (const e of sets.I.examples) {
      expect(e.segments.some((s) => s.kind === 'history')).toBe(false);
      if (e.task !== 4 && e.task !== 5) {
        expect(e.segments.filter((s) => s.kind === 'user')).toEqual([{ kind: 'user', ref: e.anchor }]);
        const text = promptText(e.segments);
        for (const t of lastTitles(e)) expect(text).not.toContain(t);
      }
      if (e.task === 3)
        expect(e.segments.filter((s) => s.kind === 'item')).toEqual([{ kind: 'item', ref: e.meta.item }]);
      if (e.task === 2) {
        expect(e.segments.filter((s) => s.kind === 'item').map((s) => (s.kind === 'item' ? s.ref : 0))).toEqual(
          e.meta.shown,
        );
      }
    }
  });

  it('H puts <user> before the history titles and <item> before the item title', () => {
    for (const e of sets.H.examples.filter((x) => [1, 2, 3, 7].includes(x.task))) {
      const u = e.segments.findIndex((s) => s.kind === 'user');
      const h = e.segments.findIndex((s) => s.kind === 'history');
      expect(u).toBeGreaterThanOrEqual(0);
      expect(h).toBeGreaterThan(u);
      expect(e.segments[h]).toEqual({ kind: 'history', titles: lastTitles(e) });
      e.segments.forEach((s, k) => {
        if (s.kind !== 'item') return;
        const next = e.segments[k + 1];
        expect(next.kind === 'text' && next.text.startsWith(` ${title(s.ref)}`)).toBe(true);
      });
    }
  });
});

describe('task semantics', () => {
  it('1: the answer is the recommender top-1 title, not the item the user took next', () => {
    let differs = 0;
    for (const m of METHODS) {
      for (const e of of(m, 1)) {
        expect(e.answer).toBe(title(fx.exports.top1[e.anchor]));
        expect(e.meta.top1).toBe(fx.exports.top1[e.anchor]);
        const next = fx.dataset.items[fx.dataset.offsets[e.user - 1] + fx.exports.position[e.anchor]];
        if (next !== e.meta.top1) differs++;
      }
    }
    expect(differs).toBeGreaterThan(0);
  });

  it('2: the candidates are shown as a shuffled permutation and answered in model order', () => {
    let shuffled = 0;
    for (const m of METHODS) {
      for (const e of of(m, 2)) {
        const model = Array.from(
          fx.exports.candidates.subarray(e.anchor * NUM_CANDIDATES, (e.anchor + 1) * NUM_CANDIDATES),
        );
        expect(e.meta.modelOrder).toEqual(model);
        expect([...e.meta.shown!].sort((a, b) => a - b)).toEqual([...model].sort((a, b) => a - b));
        expect(e.answer).toBe(model.map(title).join(HISTORY_SEPARATOR));
        if (e.meta.shown!.join() !== model.join()) shuffled++;
        const shownAs = { B: (i: number) => title(i), I: () => '<item>', H: (i: number) => `<item> ${title(i)}` }[m];
        expect(promptText(e.segments)).toContain(e.meta.shown!.map(shownAs).join(HISTORY_SEPARATOR));
      }
    }
    expect(shuffled).toBeGreaterThan(of('B', 2).length * 2);
  });

  it('3: Yes for the pos item, No for the neg item, balanced per split', () => {
    for (const m of METHODS) {
      for (const split of ['train', 'test'] as const) {
        const ex = of(m, 3).filter((e) => e.split === split);
        const yes = ex.filter((e) => e.answer === 'Yes').length;
        expect(Math.abs(2 * yes - ex.length)).toBeLessThanOrEqual(1);
        for (const e of ex) {
          expect(e.answer).toBe(e.meta.label);
          expect(e.meta.item).toBe(e.answer === 'Yes' ? fx.exports.pos[e.anchor] : fx.exports.neg[e.anchor]);
          const text = promptText(e.segments);
          if (m !== 'I') expect(text).toContain(title(e.meta.item!));
        }
      }
    }
  });

  it('4: title / attributes / similar-item variants, and for B attributes → title', () => {
    const variants = (m: Method) => new Set(of(m, 4).map((e) => e.meta.variant));
    expect(variants('B')).toEqual(new Set(['attributes', 'similar', 'reverse']));
    expect(variants('I')).toEqual(new Set(['title', 'attributes', 'similar']));
    expect(variants('H')).toEqual(new Set(['title', 'attributes', 'similar']));
    for (const m of METHODS) {
      for (const e of of(m, 4)) {
        const item = e.meta.item!;
        const cands = fx.exports.candidates.subarray(e.anchor * NUM_CANDIDATES, (e.anchor + 1) * NUM_CANDIDATES);
        expect(Array.from(cands)).toContain(item);
        const attrs = attributeText(fx.dataset.itemRecords[item - 1].attributes);
        const text = promptText(e.segments);
        switch (e.meta.variant) {
          case 'title':
            expect(e.answer).toBe(title(item));
            expect(text).not.toContain(title(item)); // also for H: the title would give it away
            expect(e.segments.filter((s) => s.kind === 'item')).toEqual([{ kind: 'item', ref: item }]);
            break;
          case 'attributes':
            expect(e.answer).toBe(attrs);
            expect(attrs).toMatch(/^genres: .+; brand: .+; year: \d+$/);
            break;
          case 'similar':
            expect(e.meta.similar).toBe(fx.exports.simItem![item]);
            expect(e.answer).toBe(title(fx.exports.simItem![item]));
            break;
          case 'reverse':
            expect(e.answer).toBe(title(item));
            expect(text).toContain(attrs);
            expect(text).not.toContain(title(item));
            break;
        }
      }
    }
  });

  it('5: replays corpus lines, prompt + answer = the line, train and test lines disjoint', async () => {
    const corpus = itemSentences(fx.dataset.itemRecords);
    for (const m of METHODS) {
      const ex = of(m, 5);
      for (const e of ex) {
        expect(e.anchor).toBe(-1);
        expect(e.user).toBe(0);
        const line = corpus[e.meta.corpusLine!];
        expect(line.endsWith(e.answer)).toBe(true);
        const prefix = line.slice(0, line.length - e.answer.length).trim();
        expect(promptText(e.segments).endsWith(prefix)).toBe(true);
      }
      const lines = (split: string) => new Set(ex.filter((e) => e.split === split).map((e) => e.meta.corpusLine));
      const test = lines('test');
      expect([...lines('train')].filter((l) => test.has(l))).toEqual([]);
    }
    const own = await generateTasks({
      method: 'B',
      exports: fx.exports,
      dataset: fx.dataset,
      seed: 1,
      tasks: [5],
      corpus: ['one two three four', 'alpha beta', 'single'],
      counts: { 5: { train: 10, test: 10 } },
    });
    expect(own.examples.map((e) => e.answer).sort()).toEqual(['beta', 'three four']);
  });

  it('6: the answer is the last ≤ 9 history titles; the prompt holds only <user>', () => {
    for (const m of ['I', 'H'] as const) {
      for (const e of of(m, 6)) {
        expect(e.answer).toBe(lastTitles(e).join(HISTORY_SEPARATOR));
        expect(e.meta.historyTitles).toEqual(lastTitles(e));
        expect(e.segments.filter((s) => s.kind !== 'text')).toEqual([{ kind: 'user', ref: e.anchor }]);
      }
    }
    expect(of('I', 6).some((e) => history(e).length > 9)).toBe(true);
  });
});

describe('default counts', () => {
  it('fills the default train counts (per task, capped by the anchors) and as many test examples as there are users', async () => {
    const set = await generateTasks({
      method: 'H',
      exports: fx.exports,
      dataset: fx.dataset,
      recommender: fx.recommender,
      seed: 3,
      tasks: [1, 2, 3],
    });
    const trainAnchors = fx.exports.isTest.reduce((n, t) => n + (t === 1 ? 0 : 1), 0);
    expect(trainAnchors).toBeGreaterThan(DEFAULT_TASK_COUNTS.train);
    expect(trainAnchors).toBeLessThan(DEFAULT_TRAIN_COUNTS[1]!);
    expect(set.counts).toEqual({
      1: { train: trainAnchors, test: fx.dataset.numUsers },
      2: { train: DEFAULT_TASK_COUNTS.train, test: expect.any(Number) },
      3: { train: expect.any(Number), test: expect.any(Number) },
    });
    expect(set.counts[3]!.train).toBeGreaterThan(DEFAULT_TASK_COUNTS.train);
    expect(
      set.notes.some((n) =>
        n.startsWith(`task 1 (next-item retrieval): ${trainAnchors} of ${DEFAULT_TRAIN_COUNTS[1]} train`),
      ),
    ).toBe(true);
    expect(set.notes.some((n) => n.startsWith('task 1 (next-item retrieval): 40 of 100 test'))).toBe(true);
  });
});
