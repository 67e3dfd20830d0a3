/** A run's alignment evaluation (eval.json): the method against random, popularity and the untrained LM. */
import { useEffect, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { AlignmentEval } from '../contracts.ts';
import { formatMetric } from '../shell/format.ts';

/** The paper's columns (DESIGN.md §7), as the engine's printed table has them. */
export const ALIGN_COLUMNS: { header: string; task: string; key: string }[] = [
  { header: 'T1 HR@5', task: 'T1', key: 'HR@5' },
  { header: 'T1 NDCG@5', task: 'T1', key: 'NDCG@5' },
  { header: 'T2 NDCG@5', task: 'T2', key: 'NDCG@5' },
  { header: 'T3 ACC', task: 'T3', key: 'ACC' },
  { header: 'T4 title ACC', task: 'T4', key: 'TitleACC' },
  { header: 'T6 HCR', task: 'T6', key: 'HCR' },
];
const BASELINES = ['random', 'popularity', 'untrained'];
const ROW_NAMES: Record<string, string> = { untrained: 'untrained LM' };

/** Rows of the table: the method first, then the known baselines in order, then any others. */
export function alignEvalRows(e: AlignmentEval): { label: string; values: (number | null)[] }[] {
  const valuesOf = (m: Record<string, unknown>) =>
    ALIGN_COLUMNS.map((c) => {
      const v = (m[c.task] as Record<string, unknown> | null | undefined)?.[c.key];
      return typeof v === 'number' ? v : null;
    });
  const names = Object.keys(e.baselines);
  const ordered = [...BASELINES.filter((b) => names.includes(b)), ...names.filter((b) => !BASELINES.includes(b))];
  return [
    { label: e.method, values: valuesOf(e as unknown as Record<string, unknown>) },
    ...ordered.map((b) => ({ label: ROW_NAMES[b] ?? b, values: valuesOf(e.baselines[b]) })),
  ];
}

export function AlignEvalTable({ project, run, title }: { project: string; run: string; title: string }) {
  const api = useApi();
  const [data, setData] = useState<AlignmentEval | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api
      .invoke('runs.eval', { project, run })
      .then((e) => live && setData(e))
      .catch((e) => live && setError(plainError(e)));
    return () => {
      live = false;
    };
  }, [api, project, run]);
  if (error) return <p className="field-error">{error}</p>;
  if (data === undefined) return <p className="muted">Loading evaluation of {title}…</p>;
  if (data === null) return null; // not evaluated: the panel only appears when the data exists
  return (
    <div className="eval-table" data-testid={`align-eval-${run}`}>
      <h4>
        {title}
        {data.t2Decoding ? <span className="muted"> · T2 decoding {data.t2Decoding}</span> : null}
      </h4>
      <table>
        <thead>
          <tr>
            <th scope="col">method</th>
            {ALIGN_COLUMNS.map((c) => (
              <th key={c.header} scope="col">
                {c.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {alignEvalRows(data).map((r) => (
            <tr key={r.label}>
              <th scope="row">{r.label}</th>
              {r.values.map((v, i) => (
                <td key={ALIGN_COLUMNS[i].header}>{formatMetric(v)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {data.controls && (
        <p className="muted" data-testid={`align-eval-${run}-shuffled`}>
          Task 3 with each user's vector swapped for another user's: {formatMetric(data.controls.T3UserShuffledACC)} (
          {formatMetric(typeof data.T3?.ACC === 'number' ? data.T3.ACC : null)} with their own). A drop means the model
          reads the user, not only the item.
        </p>
      )}
      {data.skippedTooLong && Object.keys(data.skippedTooLong).length > 0 && (
        <p className="muted" data-testid={`align-eval-${run}-too-long`}>
          Left out as too long for the run's token limit:{' '}
          {Object.entries(data.skippedTooLong)
            .map(([task, n]) => `task ${task}: ${n} test examples`)
            .join(', ')}
          .
        </p>
      )}
    </div>
  );
}
