/**
 * Builds the alignment example set of one method (DESIGN.md §6) from the recommender's exports.
 * Per task, a seeded sample of eligible anchors: training anchors give 'train' examples, each
 * user's test anchor gives 'test' ones, so no test example comes from a training anchor. Anchors
 * are drawn without replacement, so a task with fewer eligible anchors than asked gets fewer
 * examples (reported in `counts` and `notes`). Each task draws from its own stream forked from the
 * seed by task only: the same seed gives the same examples whatever other tasks are asked for,
 * and the same anchors for B, I and H, so the methods' test sets compare.
 * Defaults (300 train, 100 test per task; more training examples for tasks 1, 3 and 4, see
 * DEFAULT_TRAIN_COUNTS) keep a set small enough to encode and train on 2 cores.
 */
import type { TrainCounts } from '../../contracts/train-counts.ts';
import { InputError } from '../errors.ts';
import { itemSentences } from '../llm/tiny-corpus.ts';
import { Rng } from '../random.ts';
import type { AlignmentExports } from '../recommender/export/read-exports.ts';
import type { TargetRecommender } from '../recommender/types.ts';
import { type AlignExample, type Method, TASK_NAMES, type TaskId, tasksFor } from './example.ts';
import type { AnchorTask, Split, TaskContext, TaskDataset } from './tasks/context.ts';
import { discriminationTask } from './tasks/discrimination.ts';
import { historyTask } from './tasks/history.ts';
import { interestTask } from './tasks/interest.ts';
import { nextItemTask } from './tasks/next-item.ts';
import { rankingTask } from './tasks/ranking.ts';
import { buildRationaleExamples, DEFAULT_SCORE_BATCH, rationaleEligible } from './tasks/rationale.ts';
import { buildReplayExamples } from './tasks/replay.ts';

export interface SplitCounts {
  train: number;
  test: number;
}

export const DEFAULT_TASK_COUNTS: SplitCounts = { train: 300, test: 100 };
/**
 * Per-task train counts replacing DEFAULT_TASK_COUNTS.train; they set the task mix (batches draw
 * from all examples alike, and every example weighs the same in the loss: align-batches.ts).
 * Tasks 1 and 3 are what the recommender is measured on, so they get more. Task 3 asks for 6,000
 * distinct anchors (all there are on smaller data): method I learns the user·item interaction from
 * many users, not from repeating a few (demo, 2,000 steps: 2,000 anchors 0.86, 6,000 0.89–0.91).
 */
export const DEFAULT_TRAIN_COUNTS: Partial<Record<TaskId, number>> = { 1: 1000, 3: 6000, 4: 500 };
/**
 * Per-task test counts replacing DEFAULT_TASK_COUNTS.test. Task 3 is scored from one forward pass per
 * example, so it can afford every user's test anchor up to 1,000 (standard error ≈ 0.009 at 0.9 accuracy,
 * against 0.017 over 300 and 0.04 over 50): on the same demo run, the first 300 gave I 0.897, all 1,000 0.918.
 */
export const DEFAULT_TEST_COUNTS: Partial<Record<TaskId, number>> = { 3: 1000 };
export const DEFAULT_HISTORY_LENGTH = 9;

export interface GenerateTasksOptions {
  method: Method;
  exports: AlignmentExports;
  /** The dataset the exports were made from. */
  dataset: TaskDataset;
  seed: number;
  /** Default: every task of the method (tasksFor). */
  tasks?: readonly TaskId[];
  /** Training examples per task (a run's `trainCounts`), over DEFAULT_TRAIN_COUNTS; `counts` wins over it. */
  trainCounts?: TrainCounts;
  /** Per-task counts; missing tasks or fields take DEFAULT_TASK_COUNTS. */
  counts?: Partial<Record<TaskId, Partial<SplitCounts>>>;
  /** Needed for task 7 (leave-one-out rescoring); without a scoring recommender task 7 is skipped. */
  recommender?: TargetRecommender;
  /** Task 5's text; default: itemSentences of the dataset's items. */
  corpus?: readonly string[];
  historyLength?: number;
  /** Requests per scoreAll call for task 7. */
  scoreBatchSize?: number;
}

export interface AlignTaskSet {
  method: Method;
  /** Grouped by task (ascending), train before test. */
  examples: AlignExample[];
  counts: Partial<Record<TaskId, SplitCounts>>;
  notes: string[];
}

const ANCHOR_TASKS: Partial<Record<TaskId, AnchorTask>> = {
  1: nextItemTask,
  2: rankingTask,
  3: interestTask,
  4: discriminationTask,
  6: historyTask,
};

function checkCount(task: TaskId, what: string, n: number): number {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`task ${task} ${what} count must be an integer ≥ 0, got ${n}`);
  return n;
}

/** Up to `count` distinct rows, in a seeded order (partial Fisher–Yates). */
function sampleRows(rows: number[], count: number, rng: Rng): number[] {
  const n = Math.min(count, rows.length);
  for (let a = 0; a < n; a++) {
    const b = a + rng.int(rows.length - a);
    const t = rows[a];
    rows[a] = rows[b];
    rows[b] = t;
  }
  return rows.slice(0, n);
}

export async function generateTasks(opts: GenerateTasksOptions): Promise<AlignTaskSet> {
  const { method, exports: exp, dataset: ds } = opts;
  if (exp.summary.counts.users !== ds.numUsers || exp.summary.recommender.numItems !== ds.numItems) {
    throw new InputError(
      `the exports were made for ${exp.summary.counts.users} users and ${exp.summary.recommender.numItems} items, but the dataset has ${ds.numUsers} and ${ds.numItems}; re-run the export`,
    );
  }
  const historyLength = opts.historyLength ?? DEFAULT_HISTORY_LENGTH;
  if (!Number.isInteger(historyLength) || historyLength < 1) {
    throw new RangeError(`historyLength must be an integer ≥ 1, got ${historyLength}`);
  }
  const ctx: TaskContext = { method, exports: exp, dataset: ds, historyLength };
  const allowed = tasksFor(method);
  const tasks = [...new Set(opts.tasks ?? allowed)].sort((a, b) => a - b);
  const rowsOf: Record<Split, number[]> = { train: [], test: [] };
  for (let a = 0; a < exp.count; a++) rowsOf[exp.isTest[a] === 1 ? 'test' : 'train'].push(a);

  const out: AlignTaskSet = { method, examples: [], counts: {}, notes: [] };
  for (const task of tasks) {
    if (!allowed.includes(task)) {
      out.notes.push(`task ${task} (${TASK_NAMES[task]}) is not trained for method ${method}; skipped`);
      continue;
    }
    const want = {
      ...DEFAULT_TASK_COUNTS,
      train: DEFAULT_TRAIN_COUNTS[task] ?? DEFAULT_TASK_COUNTS.train,
      test: DEFAULT_TEST_COUNTS[task] ?? DEFAULT_TASK_COUNTS.test,
      ...(opts.trainCounts?.[task] === undefined ? {} : { train: opts.trainCounts[task] }),
      ...opts.counts?.[task],
    };
    checkCount(task, 'train', want.train);
    checkCount(task, 'test', want.test);
    const rng = new Rng(opts.seed).fork(`align/task-${task}`);
    let made: Record<Split, AlignExample[]>;
    if (task === 5) {
      made = buildReplayExamples(method, opts.corpus ?? itemSentences(ds.itemRecords), want, rng.fork('replay'));
    } else if (task === 7) {
      const rec = opts.recommender;
      if (!rec?.canScore) {
        out.notes.push('task 7 (rationale) needs a recommender that can score items; skipped');
        continue;
      }
      const picks = (['train', 'test'] as const).flatMap((split) =>
        sampleRows(
          rowsOf[split].filter((r) => rationaleEligible(ctx, r)),
          want[split],
          rng.fork(`rows-${split}`),
        ).map((row) => ({ row, split })),
      );
      const built = await buildRationaleExamples(
        ctx,
        picks,
        rec,
        rng.fork('build'),
        opts.scoreBatchSize ?? DEFAULT_SCORE_BATCH,
      );
      made = { train: built.filter((e) => e.split === 'train'), test: built.filter((e) => e.split === 'test') };
    } else {
      const spec = ANCHOR_TASKS[task]!;
      made = { train: [], test: [] };
      for (const split of ['train', 'test'] as const) {
        const rows = sampleRows(
          rowsOf[split].filter((r) => spec.eligible(ctx, r)),
          want[split],
          rng.fork(`rows-${split}`),
        );
        const build = rng.fork(`build-${split}`);
        made[split] = rows.map((row, k) => spec.build(ctx, row, split, build, k));
      }
    }
    out.counts[task] = { train: made.train.length, test: made.test.length };
    for (const split of ['train', 'test'] as const) {
      if (made[split].length < want[split]) {
        out.notes.push(
          `task ${task} (${TASK_NAMES[task]}): ${made[split].length} of ${want[split]} ${split} examples (not enough eligible ${task === 5 ? 'corpus lines' : 'anchors'})`,
        );
      }
    }
    out.examples.push(...made.train, ...made.test);
  }
  return out;
}
