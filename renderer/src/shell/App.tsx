/** The app shell: header, left navigation, and the current view. Wires engine events to the stores. */
import { useEffect } from 'react';
import { plainError, useApi } from '../api/index.ts';
import { Explorer } from '../explorer/Explorer.tsx';
import { Monitor } from '../monitor/Monitor.tsx';
import { connectJobEvents, isTerminal } from '../state/jobs-store.ts';
import { refreshProject, useProjectStore } from '../state/project-store.ts';
import { uiStateFromHash, type View } from '../state/ui-state.ts';
import { useUiStore } from '../state/ui-store.ts';
import { connectPipelineEvents } from '../wizard/plan.ts';
import { Wizard } from '../wizard/Wizard.tsx';
import { Header } from './Header.tsx';
import { useApplyTheme } from './theme.ts';

const NAV: { view: View; label: string }[] = [
  { view: 'wizard', label: 'Wizard' },
  { view: 'monitor', label: 'Monitor' },
  { view: 'explorer', label: 'Explorer' },
];

function useEngineWiring() {
  const api = useApi();
  useEffect(() => {
    // Until the engine answers, say so and ask again (a bad token never gets through; a restarted
    // bridge does).
    let retry: ReturnType<typeof setTimeout> | null = null;
    const hello = () => {
      api
        .invoke('app.info', {})
        .then((info) => useProjectStore.getState().setApp(info))
        .catch((e: unknown) => {
          useProjectStore.getState().setEngineError(plainError(e));
          retry = setTimeout(hello, 3000);
        });
    };
    hello();
    const dir = useUiStore.getState().projectDir;
    if (dir) refreshProject(api, dir).catch(() => useProjectStore.getState().setSummary(null));
    const offEvents = connectJobEvents(api);
    // The wizard's Run runs in the engine: follow it, and find it again after a reload.
    const offPipelines = connectPipelineEvents(api);
    // A finished job changes what the project holds (dataset, recommender, runs): re-read it.
    const offDone = api.on('job.update', (job) => {
      const current = useUiStore.getState().projectDir;
      if (isTerminal(job) && current && job.project === current) refreshProject(api, current).catch(() => {});
    });
    // An ended pipeline may have changed the project without a job (llm.useHf): re-read it too.
    const offPipelineDone = api.on('pipeline.update', (p) => {
      const current = useUiStore.getState().projectDir;
      if (p.state !== 'running' && current && p.project === current) refreshProject(api, current).catch(() => {});
    });
    const onHash = () => {
      const s = uiStateFromHash(location.hash);
      if (s) useUiStore.getState().replace(s);
    };
    window.addEventListener('hashchange', onHash);
    return () => {
      if (retry) clearTimeout(retry);
      offEvents();
      offDone();
      offPipelines();
      offPipelineDone();
      window.removeEventListener('hashchange', onHash);
    };
  }, [api]);
}

function EngineError() {
  const error = useProjectStore((s) => s.engineError);
  if (!error) return null;
  return (
    <p role="alert" className="engine-error" data-testid="engine-error">
      Cannot reach the engine: {error}. In browser mode, open the exact link <code>npm run web</code> printed (it
      carries the access token).
    </p>
  );
}

export function App() {
  useApplyTheme();
  useEngineWiring();
  const view = useUiStore((s) => s.view);
  const setView = useUiStore((s) => s.setView);
  return (
    <div className="app">
      <Header />
      <nav className="app-nav" aria-label="Views">
        {NAV.map((n) => (
          <button
            key={n.view}
            type="button"
            aria-current={view === n.view ? 'page' : undefined}
            onClick={() => setView(n.view)}
            data-testid={`nav-${n.view}`}
          >
            {n.label}
          </button>
        ))}
      </nav>
      <main className="app-main" data-testid={`view-${view}`}>
        <EngineError />
        {view === 'wizard' && <Wizard />}
        {view === 'monitor' && <Monitor />}
        {view === 'explorer' && <Explorer />}
      </main>
    </div>
  );
}
