/** A new, empty project's summary (what project.open answers), for fakes of the engine. */
import type { ProjectSummary } from '../../electron/contracts/api.ts';

export function emptyProjectSummary(over: Partial<ProjectSummary> = {}): ProjectSummary {
  return {
    dir: '/projects/p',
    name: 'p',
    seed: 1,
    reproducible: false,
    dataset: null,
    recommender: null,
    exports: false,
    llm: null,
    runs: 0,
    ...over,
  };
}
