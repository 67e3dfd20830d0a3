/**
 * The explanation question of task 7 (rationale, DESIGN.md §6–7) for one (user, item), in a run's
 * method format, as an AlignExample the alignment encoder turns into prompt ids and slots. It is
 * the prompt the LM was trained on for this task: a rationale frame with the same {user} / {item}
 * noun phrases (B titles, I placeholders, H both) and the last ≤ 9 history titles.
 */

import type { AlignExample, Method } from '../align/example.ts';
import { DEFAULT_HISTORY_LENGTH } from '../align/generate-tasks.ts';
import { itemPhrase, RATIONALE_FRAMES, renderFrame, userPhrase } from '../align/templates.ts';
import { Rng } from '../random.ts';

/** "Explain why {item} is recommended to {user}." — the most direct of the trained phrasings. */
export const EXPLANATION_TEMPLATE = 1;

export interface ExplanationSubject {
  user: number;
  /** Row of the user's test anchor in the exports (whose user vector `<user>` carries). */
  anchorRow: number;
  /** Full test-anchor history titles, oldest first (the last ≤ 9 are shown). */
  historyTitles: readonly string[];
  item: number;
  itemTitle: string;
}

/** The prompt; the noun phrases are drawn from `seed`, so the same subject always reads the same. */
export function explanationExample(method: Method, s: ExplanationSubject, seed: number): AlignExample {
  const rng = new Rng(seed).fork(`explain/${s.user}/${s.item}`);
  const shown = s.historyTitles.slice(-DEFAULT_HISTORY_LENGTH);
  const segments = renderFrame(RATIONALE_FRAMES[EXPLANATION_TEMPLATE], {
    user: userPhrase(method, s.anchorRow, shown, rng),
    item: itemPhrase(method, s.item, s.itemTitle, rng),
  });
  return {
    task: 7,
    method,
    user: s.user,
    anchor: s.anchorRow,
    split: 'test',
    segments,
    answer: '',
    meta: { template: EXPLANATION_TEMPLATE, top1: s.item, top1Title: s.itemTitle, historyTitles: [...shown] },
  };
}
