/**
 * The one interface evaluation talks to (docs/alignment.md, "Evaluation"), so the aligned LM, the
 * untrained LM and the baselines are scored by the same code, and the two baselines every table
 * carries (DESIGN.md §7): random and popularity. The LM answerer is in lm-answerer.ts.
 *
 * List answers (task 2 rankings, task 6 histories) are one string with titles joined by "; ", as the
 * LM writes them, so evaluation parses every answerer's output the same way.
 */

import { Rng } from '../../random.ts';
import { normalizeTitle } from '../../recommender/metrics.ts';
import { askedItem, type EvalExample, historyTitles, LIST_SEPARATOR, modelOrder, seenTitles } from './eval-example.ts';

export interface GenerateRequest {
  /** Candidate answers per example: 5 beams for task 1, 1 (greedy) for the others. */
  beams: number;
  /** Most new tokens per answer (LM answerers only). */
  maxNewTokens: number;
  /**
   * Per example, the complete answers allowed (task 2: every ordering of the candidates). An LM
   * answerer decodes constrained to them (greedy only); the baselines' answers are already among them.
   */
  choices?: readonly (readonly string[])[];
}

export interface Answerer {
  /** Each example's candidate answers, best first (at most `beams`). */
  generate(examples: readonly EvalExample[], req: GenerateRequest): Promise<string[][]>;
  /** [yes logit, no logit] per example, flattened: length 2 · examples.length. */
  yesNo(examples: readonly EvalExample[]): Promise<Float32Array>;
}

const YES: readonly [number, number] = [1, 0];
const NO: readonly [number, number] = [0, 1];

function yesNoPairs(answers: readonly boolean[]): Float32Array {
  const out = new Float32Array(2 * answers.length);
  answers.forEach((yes, i) => {
    out.set(yes ? YES : NO, 2 * i);
  });
  return out;
}

/** `count` distinct entries of `pool` in random order (all of them, shuffled, when the pool is smaller). */
function sampleDistinct<T>(pool: readonly T[], count: number, rng: Rng): T[] {
  const n = Math.min(count, pool.length);
  if (2 * n < pool.length) {
    // A few draws from a large catalogue: rejection sampling, no O(catalogue) work per example.
    const picked = new Set<number>();
    while (picked.size < n) picked.add(rng.int(pool.length));
    return [...picked].map((i) => pool[i]);
  }
  const idx = Array.from(pool, (_, i) => i);
  for (let k = 0; k < n; k++) {
    const j = k + rng.int(idx.length - k);
    [idx[k], idx[j]] = [idx[j], idx[k]];
  }
  return idx.slice(0, n).map((i) => pool[i]);
}

/**
 * Chance level: task 1/4 and others `beams` distinct random catalogue titles; task 2 a random
 * ordering of the candidates; task 6 as many distinct random catalogue titles as the history holds;
 * task 3 a fair coin. Generation and yes/no draw from separate seeded streams, consumed in example
 * order, so results depend on the seed and the examples, not on how they are batched.
 */
export function randomAnswerer(catalogTitles: readonly string[], seed: number): Answerer {
  if (catalogTitles.length === 0) throw new RangeError('randomAnswerer: the catalogue has no titles');
  const root = new Rng(seed);
  const genRng = root.fork('generate');
  const yesNoRng = root.fork('yesNo');
  const answer = (ex: EvalExample): string => {
    if (ex.task === 2) return sampleDistinct(modelOrder(ex), Number.POSITIVE_INFINITY, genRng).join(LIST_SEPARATOR);
    if (ex.task === 6) return sampleDistinct(catalogTitles, historyTitles(ex).length, genRng).join(LIST_SEPARATOR);
    return catalogTitles[genRng.int(catalogTitles.length)];
  };
  return {
    async generate(examples, { beams }) {
      return examples.map((ex) =>
        ex.task === 1 || ex.task === 4
          ? sampleDistinct(catalogTitles, beams, genRng)
          : Array.from({ length: beams }, () => answer(ex)),
      );
    },
    async yesNo(examples) {
      return yesNoPairs(examples.map(() => yesNoRng.next() < 0.5));
    },
  };
}

/** Share of the catalogue counted as "popular" for task 3 (see popularityAnswerer). */
export const POPULAR_SHARE = 0.2;

/**
 * Most-popular baseline over titles ordered by popularity (most popular first). Task 1: the most
 * popular titles the user has not seen (meta.historyTitles, the last ≤ 9: a popularity recommender
 * skips seen items, as the recommender's top-1 does); task 2: the candidates by popularity (titles
 * not in the list last, alphabetically); task 6: the most popular titles; task 4 and others: the
 * most popular title.
 * Task 3: "Yes" when the asked item ranks in the top 20% by popularity. It mirrors how positives are
 * drawn (items scoring above the recommender's rank-⌊N/5⌋ score, DESIGN.md §6): the popularity
 * model's own answer to "is this in its top fifth?". The asked item is an id (meta.item), so this
 * needs `titleOfItem`; without it, or for a title not in the list, the answer is "No".
 */
export function popularityAnswerer(
  titlesByPopularity: readonly string[],
  titleOfItem?: (item: number) => string | undefined,
): Answerer {
  if (titlesByPopularity.length === 0) throw new RangeError('popularityAnswerer: no titles');
  const normalized = titlesByPopularity.map(normalizeTitle);
  const rank = new Map<string, number>();
  normalized.forEach((key, i) => {
    if (!rank.has(key)) rank.set(key, i);
  });
  const rankOf = (t: string) => rank.get(normalizeTitle(t)) ?? Number.POSITIVE_INFINITY;
  const popularCut = Math.max(1, Math.floor(titlesByPopularity.length * POPULAR_SHARE));

  const answers = (ex: EvalExample, beams: number): string[] => {
    if (ex.task === 2) {
      // Ties (titles not in the list) break alphabetically: the given order is the truth.
      const order = modelOrder(ex)
        .map((t) => ({ t, key: normalizeTitle(t), r: rankOf(t) }))
        .sort((a, b) => a.r - b.r || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      return [order.map((o) => o.t).join(LIST_SEPARATOR)];
    }
    if (ex.task === 6) return [titlesByPopularity.slice(0, historyTitles(ex).length).join(LIST_SEPARATOR)];
    if (ex.task === 1) {
      const seen = new Set(seenTitles(ex).map(normalizeTitle));
      const out: string[] = [];
      for (let i = 0; i < titlesByPopularity.length && out.length < beams; i++) {
        if (!seen.has(normalized[i])) out.push(titlesByPopularity[i]);
      }
      return out;
    }
    return titlesByPopularity.slice(0, 1);
  };
  return {
    async generate(examples, { beams }) {
      return examples.map((ex) => answers(ex, beams));
    },
    async yesNo(examples) {
      return yesNoPairs(
        examples.map((ex) => {
          const item = askedItem(ex);
          const title = item === undefined ? undefined : titleOfItem?.(item);
          return title !== undefined && rankOf(title) < popularCut;
        }),
      );
    },
  };
}
