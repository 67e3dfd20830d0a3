/** Leave-one-out attribution: how much the item's score drops without each history item (bars). */
import { useEffect, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { Attribution } from '../contracts.ts';

/** Contributions, biggest drop first, with bar widths in % of the largest |drop|. */
export function attributionBars(a: Attribution): { item: number; title: string; drop: number; width: number }[] {
  const max = Math.max(1e-12, ...a.contributions.map((c) => Math.abs(c.drop)));
  return [...a.contributions]
    .sort((x, y) => y.drop - x.drop)
    .map((c) => ({ ...c, width: (100 * Math.abs(c.drop)) / max }));
}

export function AttributionBars({
  project,
  user,
  item,
  limit = 9,
}: {
  project: string;
  user: number;
  item: number;
  limit?: number;
}) {
  const api = useApi();
  const [data, setData] = useState<Attribution | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setData(null);
    api
      .invoke('explorer.attribution', { project, user, item })
      .then((a) => {
        if (!live) return;
        setData(a);
        setError(null);
      })
      .catch((e) => live && setError(plainError(e)));
    return () => {
      live = false;
    };
  }, [api, project, user, item]);
  if (error) return <p className="field-error">{error}</p>;
  if (!data) return <p className="muted attribution-placeholder">Computing attribution…</p>;
  return (
    <div className="attribution" data-testid="explorer-attribution">
      <p className="muted">
        Score {data.score.toFixed(3)}, rank {data.rank}. Drop in score when each history item is left out:
      </p>
      <ul className="bars">
        {attributionBars(data)
          .slice(0, limit)
          .map((c) => (
            <li key={c.item}>
              <span className="bar-label" title={c.title}>
                {c.title}
              </span>
              <span className="bar-track" aria-hidden="true">
                <span className={c.drop < 0 ? 'bar negative' : 'bar'} style={{ width: `${c.width}%` }} />
              </span>
              <span className="bar-value">{c.drop.toFixed(3)}</span>
            </li>
          ))}
      </ul>
    </div>
  );
}
