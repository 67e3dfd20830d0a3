/** The target recommender: its training curve (latest training job) and its evaluation table. */
import { useMemo } from 'react';
import { LineChart } from '../charts/LineChart.tsx';
import { buildRecommenderCurve } from '../charts/series.ts';
import type { JobInfo, MetricsLine } from '../contracts.ts';
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
  const lines = job ? (metrics[metricsKey(job.run, job.id)] ?? EMPTY) : EMPTY;
  const curve = useMemo(() => buildRecommenderCurve(lines), [lines]);
  if (!job && !summary?.recommender) return null;
  return (
    <section className="panel" aria-labelledby="rec-title" data-testid="recommender-panel">
      <h3 id="rec-title">Target recommender</h3>
      {job ? (
        <LineChart
          title={`Training: ${job.label} (${job.state})`}
          series={curve}
          xName="epoch"
          yName="loss"
          y2Name="NDCG@10"
          testId="chart-recommender"
          height={220}
        />
      ) : (
        <p className="muted">The training curve shows while a training job runs in this session.</p>
      )}
      {summary?.recommender?.evaluated && <RecEvalTable project={project} version={summary} />}
    </section>
  );
}
