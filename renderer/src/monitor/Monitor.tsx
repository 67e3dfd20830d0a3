/** Training monitors: the wizard's queue, the recommender, and alignment runs overlaid, live. */
import { useEffect, useMemo, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { RunLines } from '../charts/series.ts';
import type { MetricsLine } from '../contracts.ts';
import { formatEta } from '../shell/format.ts';
import { useJobsStore } from '../state/jobs-store.ts';
import { latestEta } from '../state/metrics.ts';
import { runLabel, useProjectStore } from '../state/project-store.ts';
import { useUiStore } from '../state/ui-store.ts';
import { isPipelineRunning, usePlanStore } from '../wizard/plan.ts';
import { AlignEvalTable } from './AlignEvalTable.tsx';
import { RecommenderPanel } from './RecommenderPanel.tsx';
import { RunCharts } from './RunCharts.tsx';
import { RunPicker } from './RunPicker.tsx';
import { useRunHistory } from './useRunHistory.ts';

const EMPTY: MetricsLine[] = [];

export function Monitor() {
  const api = useApi();
  const project = useUiStore((s) => s.projectDir);
  const selected = useUiStore((s) => s.selectedRuns);
  const toggleRun = useUiStore((s) => s.toggleRun);
  const chart = useUiStore((s) => s.chart);
  const setChart = useUiStore((s) => s.setChart);
  const runs = useProjectStore((s) => s.runs);
  const jobsById = useJobsStore((s) => s.jobs);
  const liveMetrics = useJobsStore((s) => s.metrics);
  const frozen = useJobsStore((s) => s.frozen);
  const [snapshot, setSnapshot] = useState(liveMetrics);
  const [resumeError, setResumeError] = useState<string | null>(null);
  const pipeline = usePlanStore((s) => s.pipeline);
  const [planError, setPlanError] = useState<string | null>(null);

  const jobs = useMemo(() => Object.values(jobsById).filter((j) => j.project === project), [jobsById, project]);
  const liveJobs = jobs.filter((j) => j.kind === 'align.train' && (j.state === 'running' || j.state === 'queued'));
  const live = liveJobs.flatMap((j) => (j.run ? [j.run] : []));
  // A run that starts training is selected, so its curves and evaluation stay once it finishes.
  const liveKey = live.join('\n');
  useEffect(() => {
    const ui = useUiStore.getState();
    const added = (liveKey ? liveKey.split('\n') : []).filter((r) => !ui.selectedRuns.includes(r));
    if (added.length > 0) ui.setSelectedRuns([...ui.selectedRuns, ...added]);
  }, [liveKey]);
  const shown = [...new Set([...live, ...selected])];
  useRunHistory(project, shown);

  const metrics = frozen ? snapshot : liveMetrics;
  // Keyed by the ids' text: `shown` is a new array every render.
  const shownKey = shown.join('\n');
  const runLines: RunLines[] = useMemo(
    () =>
      (shownKey ? shownKey.split('\n') : []).map((id) => {
        const r = runs.find((x) => x.id === id);
        return { label: r ? runLabel(r) : id, lines: metrics[id] ?? EMPTY };
      }),
    [shownKey, runs, metrics],
  );

  // The newest alignment job, when it was stopped before finishing: its run continues from its checkpoint.
  const lastAlign = jobs
    .filter((j) => j.kind === 'align.train')
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))[0];
  const resumableRun =
    lastAlign?.state === 'cancelled' && lastAlign.run
      ? runs.find((r) => r.id === lastAlign.run && !r.completed)
      : undefined;
  const running = liveJobs.find((j) => j.state === 'running');
  const resumable = running ? undefined : resumableRun;

  if (!project) return <p className="hint">Open or create a project in the wizard first.</p>;
  const eta = running?.progress?.etaSec ?? (running?.run ? latestEta(metrics[running.run] ?? EMPTY) : null);

  return (
    <section className="monitor" aria-labelledby="monitor-title">
      <h2 id="monitor-title">Training monitor</h2>
      {pipeline && pipeline.steps.length > 0 && (
        <div className="plan-row">
          <ol className="plan plan-compact" aria-label="Wizard run" data-testid="monitor-plan">
            {pipeline.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: positional plan steps
              <li key={i} data-state={s.state} title={s.error ?? undefined}>
                <span className={`badge badge-${s.state}`}>{s.state}</span> {s.label}
                {s.error && <span className="field-error"> — {s.error}</span>}
              </li>
            ))}
          </ol>
          {isPipelineRunning(pipeline) && (
            <button
              type="button"
              data-testid="plan-cancel"
              title="Stops the running step and starts no later one"
              onClick={() => {
                setPlanError(null);
                api
                  .invoke('pipeline.cancel', { pipeline: pipeline.id })
                  .catch((e: unknown) => setPlanError(plainError(e)));
              }}
            >
              Stop run
            </button>
          )}
          {planError && (
            <span className="field-error" role="alert">
              {planError}
            </span>
          )}
        </div>
      )}
      <RecommenderPanel project={project} jobs={jobs} metrics={metrics} />
      <section className="panel" aria-labelledby="runs-title">
        <h3 id="runs-title">Alignment runs</h3>
        <RunPicker runs={runs} selected={selected} live={live} onToggle={toggleRun} />
        <div className="chart-controls">
          <label>
            Smoothing {chart.smoothing.toFixed(2)}
            <input
              type="range"
              min={0}
              max={0.99}
              step={0.01}
              value={chart.smoothing}
              onChange={(e) => setChart({ smoothing: Number(e.target.value) })}
              data-testid="chart-smoothing"
            />
          </label>
          <label>
            X axis{' '}
            <select
              value={chart.xAxis}
              onChange={(e) => setChart({ xAxis: e.target.value as 'step' | 'time' })}
              data-testid="chart-xaxis"
            >
              <option value="step">step</option>
              <option value="time">time</option>
            </select>
          </label>
          <button
            type="button"
            aria-pressed={frozen}
            data-testid="chart-freeze"
            onClick={() => {
              if (!frozen) setSnapshot(liveMetrics);
              useJobsStore.getState().setFrozen(!frozen);
            }}
          >
            {frozen ? 'Resume updates' : 'Pause updates'}
          </button>
          <span className="eta" aria-live="polite" data-testid="monitor-eta">
            {running ? `${running.label}: ETA ${formatEta(eta)}` : 'No training running'}
          </span>
          <button
            type="button"
            disabled={!running}
            data-testid="monitor-cancel"
            title="Stops at the next step; the last checkpoint is kept, so the run can be resumed"
            onClick={() => running && api.invoke('jobs.cancel', { job: running.id }).catch(() => {})}
          >
            Stop training
          </button>
          {resumable && (
            <button
              type="button"
              data-testid="monitor-resume"
              onClick={() => {
                setResumeError(null);
                api
                  .invoke('align.train', { project, method: resumable.method, resumeRun: resumable.id })
                  .catch((e: unknown) => setResumeError(plainError(e)));
              }}
            >
              Resume {resumable.id}
            </button>
          )}
          {resumeError && (
            <span className="field-error" role="alert">
              {resumeError}
            </span>
          )}
        </div>
        {shown.length > 0 && <RunCharts runs={runLines} options={chart} />}
        {shown
          .filter((id) => runs.find((r) => r.id === id)?.evaluated)
          .map((id) => {
            const r = runs.find((x) => x.id === id)!;
            return <AlignEvalTable key={id} project={project} run={id} title={runLabel(r)} />;
          })}
      </section>
    </section>
  );
}
