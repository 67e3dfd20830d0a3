/**
 * DESIGN.md §7's explanation scores over a set of generated explanations: per explanation the
 * faithfulness report (citations found by title in the text, counterfactual drop of the cited
 * history items against as many random ones), and their means for a run's eval.json. Means skip
 * explanations where a quantity does not exist (nothing cited, or the citations are the whole
 * history), and say how many counted.
 */
import { z } from 'zod';
import type { Faithfulness } from '../../contracts/api.ts';
import { citedHistoryTitles, faithfulness } from './faithfulness.ts';

export const explanationSummarySchema = z.object({
  explanations: z.number().int(),
  /** Explanations that cite at least one catalogue title. */
  citing: z.number().int(),
  /** Mean share of cited titles that are in the user's history. */
  citationValidity: z.number().nullable(),
  /** Mean score drop of the explained item when the cited history items are removed… */
  citedDrop: z.number().nullable(),
  /** …and when as many random history items are removed (the counterfactual baseline). */
  randomDrop: z.number().nullable(),
  citedRankChange: z.number().nullable(),
  randomRankChange: z.number().nullable(),
});
export type ExplanationSummary = z.infer<typeof explanationSummarySchema>;

export interface ExplainedCase {
  user: number;
  item: number;
  text: string;
}

/**
 * The catalogue titles an explanation of `item` cites: every title it mentions except the explained
 * item's own (naming what is recommended is not a reason for it). `titles[k]` is item k + 1's title.
 */
export function citedTitles(text: string, titles: readonly string[], item: number): string[] {
  const own = titles[item - 1];
  return citedHistoryTitles(
    text,
    titles.filter((t) => t !== own),
  );
}

/** One report per case, in order. `titles` is the catalogue (cited titles are searched among them). */
export async function scoreExplanations(
  project: string,
  cases: readonly ExplainedCase[],
  titles: readonly string[],
): Promise<Faithfulness[]> {
  const out: Faithfulness[] = [];
  for (const c of cases) out.push(await faithfulness(project, c.user, c.item, citedTitles(c.text, titles, c.item)));
  return out;
}

const meanOf = (xs: (number | null | undefined)[]): number | null => {
  const v = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length;
};

export function summarizeExplanations(reports: readonly Faithfulness[]): ExplanationSummary {
  return {
    explanations: reports.length,
    citing: reports.filter((r) => r.citations.length > 0).length,
    citationValidity: meanOf(reports.map((r) => r.citationValidity)),
    citedDrop: meanOf(reports.map((r) => r.cited?.drop)),
    randomDrop: meanOf(reports.map((r) => r.random?.drop)),
    citedRankChange: meanOf(reports.map((r) => r.cited?.rankChange)),
    randomRankChange: meanOf(reports.map((r) => r.random?.rankChange)),
  };
}
