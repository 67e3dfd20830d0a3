/**
 * Each aligned run's explanation of the case, side by side, streamed in as it is generated. The boxes
 * have a fixed height from the start so streaming text never moves the panels around them.
 */
import { useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { RunSummary } from '../contracts.ts';
import { useJobsStore } from '../state/jobs-store.ts';
import type { Case } from '../state/selection.ts';
import { caseKey, useExplainStore } from './explain-store.ts';
import { FaithfulnessLine } from './FaithfulnessLine.tsx';

/** The engine takes at most 6 runs per request: the newest completed ones. */
export const explainableRuns = (runs: readonly RunSummary[]) => runs.filter((r) => r.completed).slice(-6);

export function ExplanationTexts({
  job,
  runs,
  compact,
  scoreFor,
}: {
  job: string | undefined;
  runs: RunSummary[];
  compact?: boolean;
  /** The case, to score each finished explanation's faithfulness under it (the main panel only). */
  scoreFor?: { project: string; user: number; item: number };
}) {
  const texts = useJobsStore((s) => (job ? s.tokens[job] : undefined));
  return (
    <div className={compact ? 'explanations compact' : 'explanations'}>
      {runs.map((r) => {
        const t = texts?.[r.id];
        return (
          <article
            key={r.id}
            className="explanation"
            data-testid={`explanation-${r.id}`}
            data-done={t?.done || undefined}
          >
            <h4>
              <span className="method" title={`Method ${r.method}`}>
                {r.method}
              </span>{' '}
              <span className="muted">{r.id}</span>
            </h4>
            <p className="explanation-text" aria-live="polite" data-testid={`explanation-text-${r.id}`}>
              {t?.text ?? (job ? '…' : '')}
            </p>
            {scoreFor &&
              (job && t?.done ? (
                <FaithfulnessLine {...scoreFor} text={t.text} keyId={`${job}:${r.id}`} />
              ) : (
                <p className="faithfulness" aria-hidden="true" />
              ))}
          </article>
        );
      })}
    </div>
  );
}

export function Explanations({ project, c, runs }: { project: string; c: Case; runs: RunSummary[] }) {
  const api = useApi();
  const job = useExplainStore((s) => s.jobByCase[caseKey(c)]);
  const jobInfo = useJobsStore((s) => (job ? s.jobs[job] : undefined));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const usable = explainableRuns(runs);
  if (usable.length === 0) {
    return (
      <p className="hint" data-testid="explain-no-runs">
        No aligned model yet: run an alignment from the wizard to get explanations here.
      </p>
    );
  }
  const explain = async () => {
    if (c.item === null) return;
    setError(null);
    setBusy(true);
    try {
      const r = await api.invoke('explain.start', {
        project,
        user: c.user,
        item: c.item,
        runs: usable.map((x) => x.id),
      });
      useExplainStore.getState().setJob(c, r.job);
    } catch (e) {
      setError(plainError(e));
    } finally {
      setBusy(false);
    }
  };
  const running = jobInfo && (jobInfo.state === 'queued' || jobInfo.state === 'running');
  return (
    <section className="panel" aria-labelledby="expl-title" data-testid="explorer-explanations">
      <div className="panel-head">
        <h3 id="expl-title">Explanations</h3>
        <button
          type="button"
          className="primary"
          onClick={explain}
          disabled={busy || !!running}
          data-testid="explain-button"
        >
          {running ? 'Explaining…' : job ? 'Explain again' : 'Explain'}
        </button>
      </div>
      <p className="field-error" role={error || jobInfo?.error ? 'alert' : undefined} data-testid="explain-error">
        {error ?? jobInfo?.error?.message ?? ''}
      </p>
      <ExplanationTexts
        job={job}
        runs={usable}
        scoreFor={c.item === null ? undefined : { project, user: c.user, item: c.item }}
      />
    </section>
  );
}
