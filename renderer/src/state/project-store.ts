/** What the engine says about the open project: its summary and its alignment runs. */
import { create } from 'zustand';
import type { ApiResult, ProjectSummary, RecxApi, RunSummary } from '../contracts.ts';

export type AppInfo = ApiResult<'app.info'>;

export interface ProjectState {
  app: AppInfo | null;
  /** Why the engine cannot be reached (null once it answers). */
  engineError: string | null;
  summary: ProjectSummary | null;
  runs: RunSummary[];
  setApp(app: AppInfo): void;
  setEngineError(error: string | null): void;
  setSummary(summary: ProjectSummary | null): void;
  setRuns(runs: RunSummary[]): void;
}

export const useProjectStore = create<ProjectState>()((set) => ({
  app: null,
  engineError: null,
  summary: null,
  runs: [],
  setApp: (app) => set({ app, engineError: null }),
  setEngineError: (engineError) => set({ engineError }),
  setSummary: (summary) => set({ summary }),
  setRuns: (runs) => set({ runs }),
}));

/** Re-reads the project's summary and runs (after a job ends, or on start-up). */
export async function refreshProject(api: RecxApi, dir: string): Promise<ProjectSummary> {
  const summary = await api.invoke('project.open', { dir });
  const runs = await api.invoke('runs.list', { project: dir }).catch(() => [] as RunSummary[]);
  useProjectStore.setState({ summary, runs });
  return summary;
}

/** The method letter of a run, for labels ("I" for align-I-20261129-013512). */
export const runLabel = (r: Pick<RunSummary, 'id' | 'method'>) => `${r.method} · ${r.id.replace(/^align-\w-/, '')}`;
