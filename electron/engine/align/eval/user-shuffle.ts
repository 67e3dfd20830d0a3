/**
 * A control for methods I and H: the same task-3 questions with each `<user>` vector taken from the
 * next example's user (a rotation, so nobody keeps their own). If accuracy does not drop, the LM is
 * answering from the item alone (its popularity) and not from the user the recommender saw; the
 * recommender's own u·e would fall to about the item-only level. Reported next to T3 ACC in eval.json.
 */
import type { AlignExample } from '../example.ts';

/** Task-3 examples with user slots rotated by one; [] when fewer than two have a user slot. */
export function withShuffledUsers(examples: readonly AlignExample[]): AlignExample[] {
  const withUser = examples.filter((e) => e.task === 3 && e.segments.some((s) => s.kind === 'user'));
  if (withUser.length < 2) return [];
  const refOf = (e: AlignExample) => (e.segments.find((s) => s.kind === 'user') as { ref: number }).ref;
  return withUser.map((e, k) => {
    const other = refOf(withUser[(k + 1) % withUser.length]);
    return { ...e, segments: e.segments.map((s) => (s.kind === 'user' ? { ...s, ref: other } : s)) };
  });
}
