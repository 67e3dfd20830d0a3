/** The header's job status: what runs now, how far, how long left, and a way to stop it. */
import { useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import { currentJob, useJobsStore } from '../state/jobs-store.ts';
import { formatEta } from './format.ts';

export function JobsIndicator() {
  const api = useApi();
  const jobs = useJobsStore((s) => s.jobs);
  const job = currentJob(jobs);
  const queued = Object.values(jobs).filter((j) => j.state === 'queued').length;
  const [error, setError] = useState<string | null>(null);
  const p = job?.progress;

  const cancel = async () => {
    if (!job) return;
    setError(null);
    try {
      await api.invoke('jobs.cancel', { job: job.id });
    } catch (e) {
      setError(plainError(e));
    }
  };

  // Fixed width and always-present parts: the header does not reflow as jobs come and go.
  return (
    <section className="jobs-indicator" aria-label="Jobs" data-testid="jobs-indicator">
      <div className="jobs-text" aria-live="polite" data-testid="jobs-status">
        {job ? (
          <>
            <strong>{job.label}</strong> <span className="muted">{p?.stage ?? job.state}</span>
            {queued > (job.state === 'queued' ? 1 : 0) && <span className="muted"> · {queued} queued</span>}
          </>
        ) : (
          <span className="muted">{error ?? 'No job running'}</span>
        )}
      </div>
      <progress
        max={p && p.total > 0 ? p.total : 1}
        value={p && p.total > 0 ? p.done : 0}
        aria-label="Job progress"
        data-testid="jobs-progress"
      />
      <span className="jobs-eta" title="Estimated time left">
        ETA {formatEta(p?.etaSec)}
      </span>
      <button type="button" onClick={cancel} disabled={!job} data-testid="jobs-cancel">
        Cancel
      </button>
    </section>
  );
}
