/**
 * What evaluation reads from an alignment example (align/example.ts), and the readers of each
 * task's ground truth; every field access is here, so a renamed meta field is a one-file change.
 *
 * Ground truth prefers the structured `meta` fields (arrays survive titles that contain "; ") and
 * falls back to parsing `answer`, which holds the same truth as text (DESIGN.md §6): task 1 the top-1
 * title, task 2 the candidates in model order joined "; ", task 3 "Yes"/"No", task 6 the history
 * titles joined "; ", task 4 (title variant) the title.
 */
import { type AlignExample, type DiscriminationVariant, HISTORY_SEPARATOR } from '../example.ts';

/** The fields of an AlignExample evaluation reads (tests build just these). */
export type EvalExample = Pick<AlignExample, 'task' | 'answer' | 'meta' | 'segments'>;

/** The separator of list answers (task 2 rankings, task 6 histories), as the paper splits them. */
export const LIST_SEPARATOR = HISTORY_SEPARATOR;

/** Task 4 variants are scored only for title recovery (item → its title). */
export const TITLE_RECOVERY_VARIANT: DiscriminationVariant = 'title';

/** "a; b; c" → ["a", "b", "c"]: split on "; " only, pieces trimmed, empty pieces dropped. */
export function splitTitleList(text: string): string[] {
  return text
    .split(LIST_SEPARATOR)
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

/** Task 1: the recommender's top-1 title. */
export function top1Title(ex: EvalExample): string {
  return ex.meta.top1Title ?? ex.answer.trim();
}

/** Task 2: the candidate titles in the recommender's order (best first). */
export function modelOrder(ex: EvalExample): string[] {
  return ex.meta.modelOrderTitles ?? splitTitleList(ex.answer);
}

/** Task 3: whether the right answer is "Yes" (the asked item is the recommender's pos label). */
export function isPositive(ex: EvalExample): boolean {
  return (ex.meta.label ?? ex.answer.trim()) === 'Yes';
}

/** Task 6: the true history (the last ≤ 9 titles, oldest first). */
export function historyTitles(ex: EvalExample): string[] {
  return ex.meta.historyTitles ?? splitTitleList(ex.answer);
}

/** Task 4: true for the title-recovery variant (item → its title), the only one with a metric. */
export function isTitleRecovery(ex: EvalExample): boolean {
  return ex.task === 4 && ex.meta.variant === TITLE_RECOVERY_VARIANT;
}

/** Task 4, title variant: the item's title (the answer). */
export function recoveredTitle(ex: EvalExample): string {
  return ex.answer.trim();
}

/** Task 3: the item asked about. */
export function askedItem(ex: EvalExample): number | undefined {
  return ex.meta.item;
}

/**
 * Titles the user has seen, as far as the example knows: the last ≤ 9 history titles, whether or
 * not the prompt shows them (method I does not).
 */
export function seenTitles(ex: EvalExample): string[] {
  return ex.meta.historyTitles ?? ex.segments.flatMap((s) => (s.kind === 'history' ? s.titles : []));
}
