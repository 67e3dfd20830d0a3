import { describe, expect, it } from 'vitest';
import { alignmentReport, tooLongLine, userShuffleLine } from '../../../electron/engine/align/eval/alignment-report.ts';
import type { AlignmentMetrics } from '../../../electron/engine/align/eval/evaluate-alignment.ts';
import { withShuffledUsers } from '../../../electron/engine/align/eval/user-shuffle.ts';
import { selectTestExamples } from '../../../electron/engine/align/eval-run.ts';
import type { AlignExample, TaskId } from '../../../electron/engine/align/example.ts';

const ask = (task: TaskId, user: number, item: number, answer: 'Yes' | 'No'): AlignExample => ({
  task,
  method: 'I',
  user,
  anchor: user * 10,
  split: 'test',
  segments: [
    { kind: 'text', text: 'Would ' },
    { kind: 'user', ref: user * 10 },
    { kind: 'text', text: ' like ' },
    { kind: 'item', ref: item },
    { kind: 'text', text: '?' },
  ],
  answer,
  meta: { template: 0, item, label: answer },
});

describe('user-shuffle control', () => {
  it("gives every task-3 question another user's vector, keeping item, answer and label", () => {
    const examples = [ask(3, 1, 7, 'Yes'), ask(1, 2, 8, 'No'), ask(3, 3, 9, 'No'), ask(3, 4, 5, 'Yes')];
    const out = withShuffledUsers(examples);
    expect(out).toHaveLength(3); // task 1 is not asked
    const users = out.map((e) => (e.segments[1] as { ref: number }).ref);
    expect(users).toEqual([30, 40, 10]); // a rotation: nobody keeps their own
    expect(out.map((e) => (e.segments[3] as { ref: number }).ref)).toEqual([7, 9, 5]);
    expect(out.map((e) => e.answer)).toEqual(['Yes', 'No', 'Yes']);
    expect((examples[0].segments[1] as { ref: number }).ref).toBe(10); // the originals are untouched
  });

  it('has nothing to do with fewer than two users, or without user slots (method B)', () => {
    expect(withShuffledUsers([ask(3, 1, 7, 'Yes')])).toEqual([]);
    const titlesOnly = { ...ask(3, 1, 7, 'Yes'), segments: [{ kind: 'text' as const, text: 'Would they?' }] };
    expect(withShuffledUsers([titlesOnly, titlesOnly])).toEqual([]);
  });

  it('is printed next to the accuracy with the real users, only for runs that have it', () => {
    const m = (acc: number): AlignmentMetrics => ({
      T1: null,
      T2: null,
      T3: { ACC: acc },
      T4: null,
      T6: null,
      counts: { T1: 0, T2: 0, T3: 50, T4: 0, T6: 0, skipped: 0 },
    });
    const i = { ...alignmentReport('I', m(0.91), {}), controls: { T3UserShuffledACC: 0.8 } };
    expect(userShuffleLine({ I: i, B: alignmentReport('B', m(0.55), {}) })).toBe(
      "Task 3 with each user's vector swapped for another user's: I 0.8000 (0.9100 with their own)",
    );
    expect(userShuffleLine({ B: alignmentReport('B', m(0.55), {}) })).toBe('');
  });

  it('says which test examples were left out as too long, and nothing when none were', () => {
    const metrics: AlignmentMetrics = {
      ...{ T1: null, T2: null, T3: { ACC: 0.55 }, T4: null, T6: null },
      counts: { T1: 0, T2: 0, T3: 50, T4: 0, T6: 0, skipped: 0 },
    };
    const r = alignmentReport('B', metrics, {});
    expect(tooLongLine(r)).toBe('');
    expect(tooLongLine({ ...r, skippedTooLong: { '2': 14, '6': 3 } })).toBe(
      "Test examples left out as too long for the run's maxLen: task 2 14, task 6 3",
    );
  });
});

describe('which test examples an evaluation uses', () => {
  const examples = ([1, 2, 3, 6] as TaskId[]).flatMap((task) =>
    Array.from(
      { length: 10 },
      (_, k) => ({ ...ask(task, k + 1, k, 'Yes'), split: k < 8 ? 'test' : 'train' }) as AlignExample,
    ),
  );
  it('caps the generated tasks to an equal share and leaves task 3 whole', () => {
    const picked = selectTestExamples(examples, 6); // 3 generated tasks → 2 each
    const count = (t: number) => picked.filter((e) => e.task === t).length;
    expect([count(1), count(2), count(3), count(6)]).toEqual([2, 2, 8, 2]);
    expect(picked.every((e) => e.split === 'test')).toBe(true);
  });
  it('takes every test example without a cap', () => {
    expect(selectTestExamples(examples)).toHaveLength(32);
  });
});
