/** Entry: finds the engine (Electron preload or the browser bridge) and mounts the app. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider, resolveApi } from './api/index.ts';
import { App } from './shell/App.tsx';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
try {
  const api = resolveApi();
  root.render(
    <StrictMode>
      <ApiProvider api={api}>
        <App />
      </ApiProvider>
    </StrictMode>,
  );
} catch (e) {
  root.render(
    <p role="alert" className="fatal">
      {e instanceof Error ? e.message : String(e)}
    </p>,
  );
}
