// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { RecxApiError } from '../../../electron/contracts/index.ts';
import { fieldErrors } from '../../../renderer/src/api/errors.ts';
import { ApiProvider } from '../../../renderer/src/api/index.ts';
import { App } from '../../../renderer/src/shell/App.tsx';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { baseHandlers, FakeApi, inputError, job, summary } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

afterEach(resetStores);

function renderApp(api: FakeApi) {
  return render(
    <ApiProvider api={api}>
      <App />
    </ApiProvider>,
  );
}

describe('app shell', () => {
  it('reopens the saved project, navigates between views and toggles the theme', async () => {
    useUiStore.getState().setProjectDir('/projects/p');
    const api = new FakeApi({ ...baseHandlers(), 'project.open': () => summary({ name: 'Movies' }) });
    renderApp(api);
    await waitFor(() => expect(screen.getByTestId('project-name').textContent).toBe('Movies'));
    expect(api.callsOf('app.info')).toHaveLength(1);
    fireEvent.click(screen.getByTestId('nav-monitor'));
    expect(screen.getByTestId('view-monitor')).toBeTruthy();
    expect(screen.getByTestId('nav-monitor').getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByTestId('theme-toggle')); // system → light
    fireEvent.click(screen.getByTestId('theme-toggle')); // light → dark
    expect(document.documentElement.dataset.theme).toBe('dark');
  });

  it('the jobs indicator shows the running job and cancels it; a finished job refreshes the project', async () => {
    useUiStore.getState().setProjectDir('/projects/p');
    const api = new FakeApi({
      ...baseHandlers(),
      'project.open': () => summary(),
      'jobs.cancel': () => ({ cancelled: true }),
    });
    renderApp(api);
    act(() =>
      api.emit(
        'job.update',
        job({
          id: 'j1',
          kind: 'recommender.train',
          label: 'Train sasrec',
          progress: { stage: 'training', done: 3, total: 10, etaSec: 75 },
        }),
      ),
    );
    expect(screen.getByTestId('jobs-status').textContent).toContain('Train sasrec');
    expect(screen.getByTestId('jobs-indicator').textContent).toContain('1 min 15 s');
    expect((screen.getByTestId('jobs-progress') as HTMLProgressElement).value).toBe(3);
    fireEvent.click(screen.getByTestId('jobs-cancel'));
    expect(api.callsOf('jobs.cancel')).toEqual([{ job: 'j1' }]);
    const opens = api.callsOf('project.open').length;
    act(() => api.emit('job.update', job({ id: 'j1', kind: 'recommender.train', state: 'cancelled' })));
    await waitFor(() => expect(api.callsOf('project.open').length).toBe(opens + 1));
    expect(screen.getByTestId('jobs-status').textContent).toContain('No job running');
  });

  it('says when the engine cannot be reached, and clears it once the engine answers', async () => {
    const api = new FakeApi({ ...baseHandlers() });
    const answer = api.handlers['app.info']!;
    api.handlers['app.info'] = () => {
      throw new RecxApiError({ code: 'internal', message: 'lost the connection to the engine: socket closed (1006)' });
    };
    renderApp(api);
    const banner = await screen.findByTestId('engine-error');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('socket closed (1006)');
    api.handlers['app.info'] = answer;
    await waitFor(() => expect(screen.queryByTestId('engine-error')).toBeNull(), { timeout: 5000 });
  });

  it('maps engine errors to the field they concern', () => {
    expect(fieldErrors(inputError('bad', 'dir'), ['dir'])).toEqual({ dir: 'bad' });
    expect(fieldErrors(inputError('bad', 'csv.userCol'), ['csv'])).toEqual({ csv: 'bad' });
    expect(fieldErrors(inputError('bad', 'seed'), ['dir'])).toEqual({ form: 'bad' });
    // Errors crossing Electron's contextBridge arrive as plain objects.
    expect(fieldErrors({ message: 'gone', field: 'dir' }, ['dir'])).toEqual({ dir: 'gone' });
  });
});
