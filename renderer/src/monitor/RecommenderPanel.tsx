/** The target recommender: its training curve (latest training job) and its evaluation table. */
import { useEffect, useMemo, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import { LineChart } from '../charts/LineChart.tsx';
import { buildRecommenderCurve } from '../charts/series.ts';
import type { JobInfo, MetricsLine, RECOMMENDER_PRESETS } from '../contracts.ts';

type RecommenderPreset = (typeof RECOMMENDER_PRESETS)[number];

import { metricsKey } from '../state/metrics.ts';
import { useProjectStore } from '../state/project-store.ts';
import { RecEvalTable } from './RecEvalTable.tsx';

const EMPTY: MetricsLine[] = [];

export function RecommenderPanel({
  project,
  jobs,
  metrics,
}: {
  project: string;
  jobs: JobInfo[];
  metrics: Record<string, MetricsLine[]>;
}) {
  const summary = useProjectStore((s) => s.summary);
  const job = jobs
    .filter((j) => j.kind === 'recommender.train' && j.project === project)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const api = useApi();
  // Live lines while a training runs; otherwise (none in this session, or the page was reloaded and
  // missed them) the last training's stored curve.
  const [stored, setStored] = useState<MetricsLine[]>(EMPTY);
  const hasRecommender = !!summary?.recommender;
  const training = job?.state === 'running' || job?.state === 'queued';
  useEffect(() => {
    if (training || !hasRecommender) return;
    let live = true;
    api
      .invoke('recommender.metrics', { project })
      .then((r) => live && setStored(r.lines))
      .catch(() => live && setStored(EMPTY));
    return () => {
      live = false;
    };
  }, [api, project, training, hasRecommender]);
  const liveLines = job ? (metrics[metricsKey(job.run, job.id)] ?? EMPTY) : EMPTY;
  const lines = training || liveLines.length > stored.length ? liveLines : stored;
  const curve = useMemo(() => buildRecommenderCurve(lines), [lines]);
  // A stopped training continues from its checkpoint with the settings it started with.
  const resume =
    job?.state === 'cancelled'
      ? (job.result as { resume?: { preset: RecommenderPreset; epochs?: number } } | undefined)?.resume
      : undefined;
  const [resumeError, setResumeError] = useState<string | null>(null);
  if (!job && !summary?.recommender) return null;
  return (
    <section className="panel" aria-labelledby="rec-title" data-testid="recommender-panel">
      <h3 id="rec-title">Target recommender</h3>
      {job || lines.length > 0 ? (
        <LineChart
          title={job ? `Training: ${job.label} (${job.state})` : 'Training (last run)'}
          series={curve}
          xName="epoch"
          yName="loss"
          y2Name="NDCG@10"
          testId="chart-recommender"
          height={220}
        />
      ) : (
        <p className="muted">
          No training curve stored for this recommender (imported, or trained before curves were kept).
        </p>
      )}
      {resume && (
        <p>
          <button
            type="button"
            data-testid="recommender-resume"
            onClick={() => {
              setResumeError(null);
              api
                .invoke('recommender.train', { project, ...resume, resume: true })
                .catch((e: unknown) => setResumeError(plainError(e)));
            }}
          >
            Resume training
          </button>{' '}
          {resumeError && (
            <span className="field-error" role="alert">
              {resumeError}
            </span>
          )}
        </p>
      )}
      {summary?.recommender?.evaluated && <RecEvalTable project={project} version={summary} />}
    </section>
  );
}
