/**
 * Training examples per alignment task ("2=3000,3=8000"): the task mix. One syntax for
 * `recx align train --train-counts` and the wizard; the API carries the parsed object.
 */
import { z } from 'zod';

/** Task id ("1"–"7", as JSON keys are strings) → training examples (≥ 1). */
export const trainCountsSchema = z.record(z.string().regex(/^[1-7]$/), z.number().int().min(1).max(10_000_000));
export type TrainCounts = z.infer<typeof trainCountsSchema>;

export const TRAIN_COUNTS_EXAMPLE = '2=3000,3=8000';

/** Parses "2=3000, 3=8000"; the error names the pair it cannot read. */
export function parseTrainCounts(text: string): { counts: TrainCounts } | { error: string } {
  const counts: TrainCounts = {};
  for (const item of text.split(',').map((s) => s.trim())) {
    const m = /^([1-7])=(\d+)$/.exec(item);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 10_000_000)
      return {
        error: `expected task=count pairs such as ${TRAIN_COUNTS_EXAMPLE} (tasks 1–7, count ≥ 1), got "${item}"`,
      };
    counts[m[1]] = Number(m[2]);
  }
  return { counts };
}
