/** The recommender's test metrics (HR/NDCG @5/10/20) against the popularity and random baselines. */
import { useEffect, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { EvaluationReport } from '../contracts.ts';
import { formatMetric } from '../shell/format.ts';

const COLUMNS = ['HR@5', 'NDCG@5', 'HR@10', 'NDCG@10', 'HR@20', 'NDCG@20'];

/** `version` changes (e.g. the project's summary) re-fetch the report. */
export function RecEvalTable({ project, version }: { project: string; version?: unknown }) {
  const api = useApi();
  const [report, setReport] = useState<EvaluationReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [ranking, setRanking] = useState<'full' | 'sampled100'>('full');

  // biome-ignore lint/correctness/useExhaustiveDependencies: version is a deliberate re-fetch trigger
  useEffect(() => {
    let live = true;
    api
      .invoke('recommender.evaluation', { project })
      .then((r) => {
        if (!live) return;
        setReport(r);
        setError(null);
      })
      .catch((e) => live && setError(plainError(e)));
    return () => {
      live = false;
    };
  }, [api, project, version]);

  if (error) return <p className="muted">{error}</p>;
  if (!report) return <p className="muted">No evaluation yet: it appears when the recommender's training ends.</p>;
  const rows: [string, Record<string, number>][] = [
    ['model', report[ranking]],
    ['popularity', report.baselines.popularity[ranking]],
    ['random', report.baselines.random[ranking]],
  ];
  return (
    <div className="eval-table" data-testid="recommender-eval-table">
      <label className="inline">
        Ranking against{' '}
        <select value={ranking} onChange={(e) => setRanking(e.target.value as 'full' | 'sampled100')}>
          <option value="full">all items</option>
          <option value="sampled100">100 sampled items</option>
        </select>
      </label>{' '}
      <span className="muted">
        {report.split} split, {report.users} users
      </span>
      <table>
        <thead>
          <tr>
            <th scope="col">ranker</th>
            {COLUMNS.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, m]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              {COLUMNS.map((c) => (
                <td key={c}>{formatMetric(m[c])}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
