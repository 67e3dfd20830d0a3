/** The primary user: history (oldest first) and the recommender's top-k; either can select the item. */
import { useEffect, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { UserDetail as Detail } from '../contracts.ts';
import { useUiStore } from '../state/ui-store.ts';
import { useExplainStore } from './explain-store.ts';
import { ItemChips } from './ItemChips.tsx';

export const TOP_K = 10;

/** Bar widths in % for scores (min → 8%, max → 100%): scores can be negative, so scale the range. */
export function scoreWidths(scores: readonly number[]): number[] {
  const lo = Math.min(...scores);
  const hi = Math.max(...scores);
  return scores.map((s) => (hi > lo ? 8 + (92 * (s - lo)) / (hi - lo) : 100));
}

export function UserDetail({ project, user, item }: { project: string; user: number; item: number | null }) {
  const api = useApi();
  const selectItem = useUiStore((s) => s.selectItem);
  const [detail, setDetail] = useState<Detail | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setDetail(null);
    api
      .invoke('explorer.user', { project, user, k: TOP_K })
      .then((d) => {
        if (!live) return;
        setDetail(d);
        setError(null);
        useExplainStore.getState().addTitles([...d.history, ...d.topK]);
      })
      .catch((e) => live && setError(plainError(e)));
    return () => {
      live = false;
    };
  }, [api, project, user]);

  if (error) return <p className="field-error">{error}</p>;
  if (!detail) return <p className="muted panel-placeholder">Loading user {user}…</p>;
  const widths = scoreWidths(detail.topK.map((t) => t.score));
  return (
    <div className="user-detail" data-testid="explorer-user-detail" data-user={user}>
      <section className="panel" aria-labelledby="history-title">
        <h3 id="history-title">History of user {user}</h3>
        <ol className="history" data-testid="explorer-history">
          {detail.history.map((h, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: an item can repeat in a history
            <li key={`${h.item}-${i}`}>
              <button type="button" className="link" aria-pressed={item === h.item} onClick={() => selectItem(h.item)}>
                {h.title}
              </button>{' '}
              <ItemChips attributes={h.attributes} />
            </li>
          ))}
        </ol>
      </section>
      <section className="panel" aria-labelledby="topk-title">
        <h3 id="topk-title">Recommended (top {detail.topK.length})</h3>
        <ol className="topk" data-testid="explorer-topk">
          {detail.topK.map((t, i) => (
            <li key={t.item}>
              <button
                type="button"
                className="topk-row"
                aria-pressed={item === t.item}
                onClick={() => selectItem(t.item)}
                data-testid={`explorer-topk-${t.rank}`}
              >
                <span className="rank">{t.rank}</span>
                <span className="topk-title">{t.title}</span>
                <span className="score-bar" aria-hidden="true">
                  <span style={{ width: `${widths[i]}%` }} />
                </span>
                <span className="score">{t.score.toFixed(3)}</span>
              </button>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
