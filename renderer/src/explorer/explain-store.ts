/**
 * Which explanation job belongs to which case (user:item), so a pinned case keeps its texts, and the
 * item titles seen so far, so pinned cards can name their item without another request.
 */
import { create } from 'zustand';
import type { Faithfulness } from '../contracts.ts';
import type { Case } from '../state/selection.ts';

export type FaithfulnessEntry =
  | { state: 'loading' }
  | { state: 'done'; value: Faithfulness }
  | { state: 'error'; error: string };

export const caseKey = (c: Case) => `${c.user}:${c.item ?? ''}`;

interface ExplainState {
  jobByCase: Record<string, string>;
  titles: Record<number, string>;
  /** Faithfulness of finished explanations, by `${job}:${run}`. */
  faithfulness: Record<string, FaithfulnessEntry>;
  setJob(c: Case, job: string): void;
  setFaithfulness(key: string, entry: FaithfulnessEntry): void;
  addTitles(items: readonly { item: number; title: string }[]): void;
}

export const useExplainStore = create<ExplainState>()((set) => ({
  jobByCase: {},
  titles: {},
  faithfulness: {},
  setJob: (c, job) => set((s) => ({ jobByCase: { ...s.jobByCase, [caseKey(c)]: job } })),
  setFaithfulness: (key, entry) => set((s) => ({ faithfulness: { ...s.faithfulness, [key]: entry } })),
  addTitles: (items) =>
    set((s) => {
      const titles = { ...s.titles };
      for (const i of items) titles[i.item] = i.title;
      return { titles };
    }),
}));
