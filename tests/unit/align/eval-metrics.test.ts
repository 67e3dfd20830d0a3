/** evaluateAlignment against hand-computed values of every paper metric (DESIGN.md §7). */
import { describe, expect, it } from 'vitest';
import type { EvalExample } from '../../../electron/engine/align/eval/eval-example.ts';
import {
  DEFAULT_MAX_NEW_TOKENS,
  evaluateAlignment,
  yesNoCorrect,
} from '../../../electron/engine/align/eval/evaluate-alignment.ts';
import { example, history, interest, ranking, scriptedAnswerer, titleRecovery, top1 } from './eval-fixtures.ts';

/** An answerer that gives each listed example its scripted answers. */
function byExample(answers: Map<EvalExample, string[]>, logits = new Map<EvalExample, [number, number]>()) {
  return scriptedAnswerer({
    generate: (ex) => answers.get(ex) ?? [],
    yesNo: (ex) => logits.get(ex) ?? [0, 0],
  });
}

describe('task 1: HR@5 / NDCG@5 over 5 beams', () => {
  it('scores the first normalised match among the beams', async () => {
    const second = top1('Heat (1995)');
    const missed = top1('Up');
    const first = top1('Cars');
    const answerer = byExample(
      new Map([
        [second, ['Alien', ' "heat (1995)". ', 'Up', 'Cars', 'Jaws']],
        [missed, ['Alien', 'Heat (1995)', 'Cars', 'Jaws', 'Toy Story', 'Up']], // "Up" is the 6th: outside @5
        [first, ['CARS', 'Cars']],
      ]),
    );
    const m = await evaluateAlignment([second, missed, first], answerer);
    expect(m.T1!['HR@5']).toBeCloseTo(2 / 3, 12);
    expect(m.T1!['NDCG@5']).toBeCloseTo((1 / Math.log2(3) + 0 + 1) / 3, 12);
    expect(m.counts.T1).toBe(3);
    expect(answerer.requests).toEqual([
      { tasks: [1, 1, 1], req: { beams: 5, maxNewTokens: DEFAULT_MAX_NEW_TOKENS.T1 } },
    ]);
  });

  it('a right title at beam position 2 gives HR 1 and NDCG 1/log2(3)', async () => {
    const ex = top1('Heat');
    const m = await evaluateAlignment([ex], byExample(new Map([[ex, ['Alien', 'Heat', 'Up', 'Cars', 'Jaws']]])));
    expect(m.T1).toEqual({ 'HR@5': 1, 'NDCG@5': 1 / Math.log2(3) });
  });

  it('falls back to the answer text when meta has no top-1 title', async () => {
    const ex = example(1, 'Heat');
    const m = await evaluateAlignment([ex], byExample(new Map([[ex, ['Heat']]])));
    expect(m.T1).toEqual({ 'HR@5': 1, 'NDCG@5': 1 });
  });
});

describe('task 2: NDCG@5 with graded relevance 1000/100/10/1/0', () => {
  it('matches the hand-computed value for a known model order', async () => {
    const order = ['A', 'B', 'C', 'D', 'E']; // relevance 1000, 100, 10, 1, 0
    const swapped = ranking(order);
    const perfect = ranking(order);
    const answerer = byExample(
      new Map([
        [swapped, ['B; A; C; E; D']],
        [perfect, ['a; b; c; d; e', 'ignored second candidate']],
      ]),
    );
    const m = await evaluateAlignment([swapped, perfect], answerer);
    const dcg = 100 / 1 + 1000 / Math.log2(3) + 10 / 2 + 0 / Math.log2(5) + 1 / Math.log2(6);
    const idcg = 1000 + 100 / Math.log2(3) + 10 / 2 + 1 / Math.log2(5);
    expect(m.T2!['NDCG@5']).toBeCloseTo((dcg / idcg + 1) / 2, 12);
    const { choices, ...rest } = answerer.requests[0].req;
    expect(rest).toEqual({ beams: 1, maxNewTokens: DEFAULT_MAX_NEW_TOKENS.T2 });
    // Constrained by default: every ordering of the candidates, "; "-joined, is allowed and nothing else.
    expect(choices).toHaveLength(2);
    expect(choices![0]).toHaveLength(120);
    expect(choices![0]).toContain('A; B; C; D; E');
    expect(choices![0]).toContain('E; D; C; B; A');
    expect(choices![0].every((c) => [...c.split('; ')].sort().join('') === 'ABCDE')).toBe(true);
    const free = byExample(new Map([[perfect, ['A; B; C; D; E']]]));
    await evaluateAlignment([perfect], free, { freeRanking: true });
    expect(free.requests[0].req.choices).toBeUndefined();
  });

  it('splits on "; " only, and reads the model order from the answer without meta', async () => {
    // "A;B" is one (wrong) title: the paper splits on "; ".
    const ex = example(2, 'A; B; C; D; E');
    const m = await evaluateAlignment([ex], byExample(new Map([[ex, ['A;B; C; D; E']]])));
    const dcg = 10 / Math.log2(3) + 1 / Math.log2(4);
    const idcg = 1000 + 100 / Math.log2(3) + 10 / 2 + 1 / Math.log2(5);
    expect(m.T2!['NDCG@5']).toBeCloseTo(dcg / idcg, 12);
  });
});

describe('task 3: accuracy from the yes/no logits', () => {
  it('compares the logits; a tie counts half', async () => {
    const cases: [EvalExample, [number, number]][] = [
      [interest(true), [2, 1]], // right
      [interest(true), [0.5, 3]], // wrong
      [example(3, 'No'), [-1, 0]], // right (label from the answer text)
      [interest(false), [1, 1]], // tie: ½
    ];
    const answerer = byExample(new Map(), new Map(cases));
    const m = await evaluateAlignment(
      cases.map((c) => c[0]),
      answerer,
    );
    expect(m.T3).toEqual({ ACC: 2.5 / 4 });
    expect(answerer.requests).toEqual([]); // no generation for task 3
    expect(answerer.yesNoCalls).toBe(1);
  });

  it('yesNoCorrect: NaN logits are wrong', () => {
    expect(yesNoCorrect(Number.NaN, 0, true)).toBe(0);
    expect(yesNoCorrect(0, Number.NaN, false)).toBe(0);
    expect(yesNoCorrect(-1, -2, true)).toBe(1);
    expect(yesNoCorrect(-1, -2, false)).toBe(0);
  });
});

describe('task 6: history coverage ratio', () => {
  it('counts the first |history| generated titles found in the history, each history entry once', async () => {
    const four = history(['a', 'b', 'c', 'd']);
    const two = history(['p', 'q']);
    const answerer = byExample(
      new Map([
        [four, ['a; x; c; a; b; d']], // first 4: a ✓, x ✗, c ✓, a (used) ✗ → 2/4
        [two, ['Q; p']], // → 2/2
      ]),
    );
    const m = await evaluateAlignment([four, two], answerer);
    expect(m.T6).toEqual({ HCR: (0.5 + 1) / 2 });
    expect(answerer.requests[0].req.beams).toBe(1);
  });
});

describe('title recovery (task 4, title variant)', () => {
  it('exact match after normalisation; other task-4 variants and tasks 5/7 are skipped', async () => {
    const right = titleRecovery('Toy Story (1995)');
    const wrong = titleRecovery('Heat');
    const attrs = example(4, 'Genre: crime', { variant: 'attributes', item: 2 });
    const answerer = byExample(
      new Map([
        [right, ['  "toy story (1995)". ']],
        [wrong, ['Heat 2']],
      ]),
    );
    const m = await evaluateAlignment([right, attrs, wrong, example(5, 'text'), example(7, 'because')], answerer);
    expect(m.T4).toEqual({ TitleACC: 0.5 });
    expect(m.counts).toEqual({ T1: 0, T2: 0, T3: 0, T4: 2, T6: 0, skipped: 3 });
    expect(m.T1).toBeNull();
    expect(m.T6).toBeNull();
  });
});

describe('evaluateAlignment: batching, progress, errors', () => {
  it('batches per task, reports progress and passes maxNewTokens overrides', async () => {
    const exs = [top1('a'), top1('b'), top1('c'), interest(true), history(['x'])];
    const answerer = scriptedAnswerer({ generate: () => ['a'], yesNo: () => [1, 0] });
    const progress: [number, number][] = [];
    const m = await evaluateAlignment(exs, answerer, {
      batchSize: 2,
      maxNewTokens: { T1: 7 },
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(answerer.requests.map((r) => [r.tasks, r.req])).toEqual([
      [[1, 1], { beams: 5, maxNewTokens: 7 }],
      [[1], { beams: 5, maxNewTokens: 7 }],
      [[6], { beams: 1, maxNewTokens: DEFAULT_MAX_NEW_TOKENS.T6 }],
    ]);
    expect(progress).toEqual([
      [2, 5],
      [3, 5],
      [4, 5],
      [5, 5],
    ]);
    expect(m.T1!['HR@5']).toBeCloseTo(1 / 3, 12);
    expect(m.T3).toEqual({ ACC: 1 });
  });

  it('no examples: every metric is null', async () => {
    const m = await evaluateAlignment([], scriptedAnswerer({}));
    expect(m).toEqual({
      T1: null,
      T2: null,
      T3: null,
      T4: null,
      T6: null,
      counts: { T1: 0, T2: 0, T3: 0, T4: 0, T6: 0, skipped: 0 },
    });
  });

  it('rejects an answerer that returns the wrong number of answers, and stops on abort', async () => {
    const short = { generate: async () => [], yesNo: async () => new Float32Array(0) };
    await expect(evaluateAlignment([top1('a')], short)).rejects.toThrow(/0 answer lists for 1/);
    await expect(evaluateAlignment([interest(true)], short)).rejects.toThrow(/0 yes\/no logits for 1/);
    const ac = new AbortController();
    ac.abort(new Error('stopped'));
    await expect(evaluateAlignment([top1('a')], scriptedAnswerer({}), { signal: ac.signal })).rejects.toThrow(
      'stopped',
    );
  });
});
