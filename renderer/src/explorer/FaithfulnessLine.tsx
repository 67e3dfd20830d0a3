/**
 * DESIGN.md §7 under an explanation once it is complete: the catalogue titles it cites (✓ when in
 * the user's history), and how much the recommender's score of the item drops when those history
 * items are removed, against removing as many random ones. One request per finished text; the line
 * keeps its height while it loads so the panel does not jump.
 */
import { useEffect } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { Faithfulness } from '../contracts.ts';
import { useExplainStore } from './explain-store.ts';

const fmt = (x: number | null | undefined) => (x === null || x === undefined ? '–' : x.toFixed(3));

export function faithfulnessSummary(f: Faithfulness): string {
  if (f.citations.length === 0) return 'Cites no title.';
  const cites = f.citations.map((c) => `${c.title} ${c.item === null ? '✗' : '✓'}`).join(', ');
  const drop = f.cited
    ? ` Score drop without them ${fmt(f.cited.drop)} (rank ${f.cited.rankChange >= 0 ? '+' : ''}${f.cited.rankChange}) vs ${fmt(f.random?.drop)} for as many random items.`
    : '';
  return `Cites ${cites}.${drop}`;
}

export function FaithfulnessLine(props: { project: string; user: number; item: number; text: string; keyId: string }) {
  const api = useApi();
  const entry = useExplainStore((s) => s.faithfulness[props.keyId]);
  const { project, user, item, text, keyId } = props;
  useEffect(() => {
    if (useExplainStore.getState().faithfulness[keyId]) return;
    useExplainStore.getState().setFaithfulness(keyId, { state: 'loading' });
    api
      .invoke('explain.faithfulness', { project, user, item, text })
      .then((f) => useExplainStore.getState().setFaithfulness(keyId, { state: 'done', value: f }))
      .catch((e: unknown) =>
        useExplainStore.getState().setFaithfulness(keyId, { state: 'error', error: plainError(e) }),
      );
  }, [api, project, user, item, text, keyId]);
  const line =
    entry?.state === 'done' ? faithfulnessSummary(entry.value) : entry?.state === 'error' ? entry.error : 'Scoring…';
  return (
    <p className="faithfulness muted" data-testid={`faithfulness-${keyId}`}>
      {line}
    </p>
  );
}
