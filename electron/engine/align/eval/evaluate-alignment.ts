/**
 * The paper's alignment metrics (DESIGN.md §7) of one Answerer on the test examples, computed with
 * the shared title metrics of recommender/metrics.ts so numbers compare with RecExplainer's:
 *  - T1 HR@5 / NDCG@5: the 5 beam outputs against the recommender's top-1 title;
 *  - T2 NDCG@5: the greedy answer split on "; " against the model's candidate order (graded
 *    relevance 1000/100/10/1/0). By default decoding is constrained to the orderings of the shown
 *    candidates (`freeRanking` off; a beam search for the most probable one, lm-answerer.ts): a small
 *    LM that misspells one title would otherwise score as if it had not ranked at all, and the
 *    metric is about the order. The paper's 7B LM copies titles reliably, where the constraint
 *    changes little; `freeRanking: true` gives the paper's free (greedy) decoding;
 *  - T3 ACC: "Yes" when the yes logit beats the no logit, no generation; equal logits count half
 *    (the expected accuracy under a random tie-break, as the rank functions treat ties);
 *  - T4 title recovery: exact match of normalised titles, task 4's title variant only;
 *  - T6 HCR: share of the first |history| generated titles found in the true history.
 * Every metric is a mean over its examples; a task without examples is null (e.g. T6 for method B).
 * Tasks 5 and 7 and the other task-4 variants have no metric here and are counted as skipped.
 */
import { historyCoverage, hitRateAndNdcgFromList, normalizeTitle, rankingNdcg } from '../../recommender/metrics.ts';
import type { Answerer } from './answerer.ts';
import {
  type EvalExample,
  historyTitles,
  isPositive,
  isTitleRecovery,
  LIST_SEPARATOR,
  modelOrder,
  recoveredTitle,
  splitTitleList,
  top1Title,
} from './eval-example.ts';

/** Beams for task 1 and the cut-off of HR/NDCG, as in the paper. */
export const EVAL_K = 5;

export interface AlignmentMetrics {
  T1: { 'HR@5': number; 'NDCG@5': number } | null;
  T2: { 'NDCG@5': number } | null;
  T3: { ACC: number } | null;
  /** Title recovery (task 4, title variant). */
  T4: { TitleACC: number } | null;
  T6: { HCR: number } | null;
  /** Examples scored per task, and those with no metric. */
  counts: { T1: number; T2: number; T3: number; T4: number; T6: number; skipped: number };
}

export type GeneratedTask = 'T1' | 'T2' | 'T4' | 'T6';

/** Default answer lengths in new tokens: one title, or a list of 5 (T2) or ≤ 9 (T6) titles. */
export const DEFAULT_MAX_NEW_TOKENS: Readonly<Record<GeneratedTask, number>> = { T1: 64, T2: 256, T4: 64, T6: 448 };

export interface EvaluateAlignmentOptions {
  maxNewTokens?: Partial<Record<GeneratedTask, number>>;
  /** Examples per answerer call. Default 8. */
  batchSize?: number;
  /** Called after each batch with the examples done and the examples to score. */
  onProgress?: (done: number, total: number) => void;
  /** Checked between batches; an aborted evaluation throws the signal's reason. */
  signal?: AbortSignal;
  /** T2 by free greedy decoding (the paper) instead of decoding constrained to candidate orderings. */
  freeRanking?: boolean;
}

/** Every ordering of `items` (5 candidates: 120). */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((first, i) =>
    permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [first, ...rest]),
  );
}

type TaskKey = GeneratedTask | 'T3';

function taskKey(ex: EvalExample): TaskKey | null {
  switch (ex.task) {
    case 1:
      return 'T1';
    case 2:
      return 'T2';
    case 3:
      return 'T3';
    case 4:
      return isTitleRecovery(ex) ? 'T4' : null;
    case 6:
      return 'T6';
    default:
      return null;
  }
}

/** Per-example scores from one answer list (best first) of a generated task. */
function scoreGenerated(task: GeneratedTask, ex: EvalExample, answers: readonly string[]): number[] {
  const best = answers[0] ?? '';
  switch (task) {
    case 'T1': {
      const { hr, ndcg } = hitRateAndNdcgFromList([...answers], top1Title(ex), EVAL_K);
      return [hr, ndcg];
    }
    case 'T2':
      return [rankingNdcg(splitTitleList(best), modelOrder(ex), EVAL_K)];
    case 'T4':
      return [normalizeTitle(best) === normalizeTitle(recoveredTitle(ex)) ? 1 : 0];
    case 'T6':
      return [historyCoverage(splitTitleList(best), historyTitles(ex))];
  }
}

/** 1 when the logits pick the right answer, ½ on a tie, 0 otherwise (NaN included). */
export function yesNoCorrect(yes: number, no: number, positive: boolean): number {
  if (yes === no) return 0.5;
  return yes > no === positive && !Number.isNaN(yes - no) ? 1 : 0;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Pass the test split: every example is scored as given. */
export async function evaluateAlignment(
  examples: readonly EvalExample[],
  answerer: Answerer,
  opts: EvaluateAlignmentOptions = {},
): Promise<AlignmentMetrics> {
  const batchSize = opts.batchSize ?? 8;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be an integer ≥ 1');
  const groups: Record<TaskKey, EvalExample[]> = { T1: [], T2: [], T3: [], T4: [], T6: [] };
  let skipped = 0;
  for (const ex of examples) {
    const key = taskKey(ex);
    if (key) groups[key].push(ex);
    else skipped++;
  }
  const total = examples.length - skipped;
  let done = 0;
  // scores[task][metric][example]
  const scores: Record<TaskKey, number[][]> = { T1: [[], []], T2: [[]], T3: [[]], T4: [[]], T6: [[]] };

  for (const task of ['T1', 'T2', 'T3', 'T4', 'T6'] as const) {
    const group = groups[task];
    for (let start = 0; start < group.length; start += batchSize) {
      opts.signal?.throwIfAborted();
      const batch = group.slice(start, start + batchSize);
      if (task === 'T3') {
        const logits = await answerer.yesNo(batch);
        if (logits.length !== 2 * batch.length) {
          throw new RangeError(`answerer gave ${logits.length} yes/no logits for ${batch.length} examples`);
        }
        batch.forEach((ex, i) => {
          scores.T3[0].push(yesNoCorrect(logits[2 * i], logits[2 * i + 1], isPositive(ex)));
        });
      } else {
        const maxNewTokens = opts.maxNewTokens?.[task] ?? DEFAULT_MAX_NEW_TOKENS[task];
        const choices =
          task === 'T2' && !opts.freeRanking
            ? batch.map((ex) => permutations(modelOrder(ex)).map((p) => p.join(LIST_SEPARATOR)))
            : undefined;
        const beams = task === 'T1' ? EVAL_K : 1;
        const answers = await answerer.generate(batch, { beams, maxNewTokens, choices });
        if (answers.length !== batch.length) {
          throw new RangeError(`answerer gave ${answers.length} answer lists for ${batch.length} examples`);
        }
        batch.forEach((ex, i) => {
          scoreGenerated(task, ex, answers[i]).forEach((s, m) => {
            scores[task][m].push(s);
          });
        });
      }
      done += batch.length;
      opts.onProgress?.(done, total);
    }
  }

  const has = (task: TaskKey) => groups[task].length > 0;
  return {
    T1: has('T1') ? { 'HR@5': mean(scores.T1[0]), 'NDCG@5': mean(scores.T1[1]) } : null,
    T2: has('T2') ? { 'NDCG@5': mean(scores.T2[0]) } : null,
    T3: has('T3') ? { ACC: mean(scores.T3[0]) } : null,
    T4: has('T4') ? { TitleACC: mean(scores.T4[0]) } : null,
    T6: has('T6') ? { HCR: mean(scores.T6[0]) } : null,
    counts: {
      T1: groups.T1.length,
      T2: groups.T2.length,
      T3: groups.T3.length,
      T4: groups.T4.length,
      T6: groups.T6.length,
      skipped,
    },
  };
}
