/** Loads each shown run's stored metrics once (`runs.metrics`); live lines merge in as they come. */
import { useEffect, useRef } from 'react';
import { useApi } from '../api/index.ts';
import { useJobsStore } from '../state/jobs-store.ts';

export function useRunHistory(project: string | null, runs: readonly string[]): void {
  const api = useApi();
  const loaded = useRef(new Set<string>());
  const key = runs.join('\n');
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for `runs` (a new array each render)
  useEffect(() => {
    if (!project) return;
    for (const run of runs) {
      const id = `${project}\n${run}`;
      if (loaded.current.has(id)) continue;
      loaded.current.add(id);
      api
        .invoke('runs.metrics', { project, run })
        .then((r) => useJobsStore.getState().setHistory(run, r.lines))
        .catch(() => loaded.current.delete(id)); // a run that just started may have no file yet: retry later
    }
  }, [api, project, key]);
}
