// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../renderer/src/api/index.ts';
import { Monitor } from '../../../renderer/src/monitor/Monitor.tsx';
import { connectJobEvents } from '../../../renderer/src/state/jobs-store.ts';
import { useProjectStore } from '../../../renderer/src/state/project-store.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { baseHandlers, FakeApi, job, summary } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

afterEach(resetStores);

const points = (testId: string) => Number(screen.getByTestId(testId).dataset.points);

function setup(api: FakeApi) {
  useUiStore.getState().setProjectDir('/projects/p');
  useProjectStore.getState().setSummary(summary());
  connectJobEvents(api);
  return render(
    <ApiProvider api={api}>
      <Monitor />
    </ApiProvider>,
  );
}

describe('monitor', () => {
  it('shows a hint when there is no run yet', () => {
    setup(new FakeApi(baseHandlers()));
    expect(screen.getByTestId('monitor-no-runs')).toBeTruthy();
    expect(screen.queryByTestId('chart-loss')).toBeNull();
  });

  it('without a training job in this session, the recommender panel draws the stored curve', async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'recommender.metrics': () => ({
        lines: [
          { step: 10, loss: 1.5, epoch: 1 },
          { step: 10, eval: { 'NDCG@10': 0.08 } },
          { step: 20, loss: 1.4, epoch: 2 },
          { step: 20, eval: { 'NDCG@10': 0.09 } },
        ],
      }),
    });
    useUiStore.getState().setProjectDir('/projects/p');
    useProjectStore.getState().setSummary(summary({ recommender: { kind: 'sasrec', dim: 8, evaluated: false } }));
    render(
      <ApiProvider api={api}>
        <Monitor />
      </ApiProvider>,
    );
    await waitFor(() => expect(points('chart-recommender')).toBeGreaterThan(0));
    expect(api.callsOf('recommender.metrics')).toEqual([{ project: '/projects/p' }]);
  });

  it('a running alignment job: history first, then job.metrics events add points to the loss chart', async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'runs.metrics': ({ run }) => ({ run, lines: [{ step: 1, loss: 3, lr: 1e-4, rssMb: 400, tokensPerSec: 50 }] }),
    });
    setup(api);
    act(() => api.emit('job.update', job({ id: 'j1', kind: 'align.train', run: 'align-I-1', label: 'Align I' })));
    await waitFor(() => expect(points('chart-loss')).toBe(1));
    expect(api.callsOf('runs.metrics')).toEqual([{ project: '/projects/p', run: 'align-I-1' }]);
    act(() =>
      api.emit('job.metrics', {
        job: 'j1',
        run: 'align-I-1',
        lines: [
          { step: 2, loss: 2.5, lr: 2e-4, etaSec: 90 },
          { step: 2, eval: { 'loss/T1': 2.9, 'loss/T3': 0.7 } },
        ],
      }),
    );
    expect(points('chart-loss')).toBe(4); // 2 training points + one per task
    expect(points('chart-lr')).toBe(2);
    expect(points('chart-memory')).toBe(1);
    expect(screen.getByTestId('monitor-eta').textContent).toMatch(/1 min 30 s/);
  });

  it('pausing updates freezes the charts until resumed; cancel asks the engine', async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'runs.metrics': ({ run }) => ({ run, lines: [] }),
      'jobs.cancel': () => ({ cancelled: true }),
    });
    setup(api);
    act(() => api.emit('job.update', job({ id: 'j1', kind: 'align.train', run: 'r1' })));
    act(() => api.emit('job.metrics', { job: 'j1', run: 'r1', lines: [{ step: 1, loss: 1 }] }));
    fireEvent.click(screen.getByTestId('chart-freeze'));
    act(() => api.emit('job.metrics', { job: 'j1', run: 'r1', lines: [{ step: 2, loss: 1 }] }));
    expect(points('chart-loss')).toBe(1);
    fireEvent.click(screen.getByTestId('chart-freeze'));
    expect(points('chart-loss')).toBe(2);
    fireEvent.click(screen.getByTestId('monitor-cancel'));
    expect(api.callsOf('jobs.cancel')).toEqual([{ job: 'j1' }]);
  });

  it('a stopped recommender training can be resumed with the settings it started with', async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'recommender.metrics': () => ({ lines: [] }),
      'recommender.train': () => ({ job: 'j9' }),
    });
    setup(api);
    act(() =>
      api.emit(
        'job.update',
        job({
          id: 'j8',
          kind: 'recommender.train',
          state: 'cancelled',
          result: { completed: false, epochs: 4, resume: { preset: 'mf-bpr', epochs: 30 } },
        }),
      ),
    );
    fireEvent.click(await screen.findByTestId('recommender-resume'));
    await waitFor(() =>
      expect(api.callsOf('recommender.train')).toEqual([
        { project: '/projects/p', preset: 'mf-bpr', epochs: 30, resume: true },
      ]),
    );
  });

  it('a stopped alignment run can be resumed from its checkpoint', async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'runs.metrics': ({ run }) => ({ run, lines: [] }),
      'align.train': () => ({ job: 'j2' }),
    });
    useProjectStore
      .getState()
      .setRuns([{ id: 'align-H-1', method: 'H', steps: 600, completed: false, finalLoss: null, evaluated: false }]);
    setup(api);
    act(() => api.emit('job.update', job({ id: 'j1', kind: 'align.train', run: 'align-H-1' })));
    expect(screen.queryByTestId('monitor-resume')).toBeNull(); // still running
    act(() => api.emit('job.update', job({ id: 'j1', kind: 'align.train', run: 'align-H-1', state: 'cancelled' })));
    fireEvent.click(await screen.findByTestId('monitor-resume'));
    await waitFor(() =>
      expect(api.callsOf('align.train')).toEqual([{ project: '/projects/p', method: 'H', resumeRun: 'align-H-1' }]),
    );
  });

  it('overlays selected finished runs and shows the evaluation table of an evaluated one', async () => {
    const m = { T1: { 'HR@5': 0.25, 'NDCG@5': 0.2 }, T2: null, T3: { ACC: 0.8 }, T4: null, T6: null };
    const api = new FakeApi({
      ...baseHandlers(),
      'runs.metrics': ({ run }) => ({ run, lines: [{ step: 1, loss: run === 'a' ? 1 : 2 }] }),
      'runs.eval': ({ run }) => ({
        method: 'B',
        ...m,
        baselines: { random: m },
        ...(run === 'a' ? { controls: { T3UserShuffledACC: 0.7 }, skippedTooLong: { '2': 3 } } : {}),
      }),
    });
    useProjectStore.getState().setRuns([
      { id: 'a', method: 'B', steps: 10, completed: true, finalLoss: 1, evaluated: true },
      { id: 'b', method: 'I', steps: 10, completed: true, finalLoss: 2, evaluated: false },
    ]);
    setup(api);
    fireEvent.click(screen.getByTestId('run-toggle-a'));
    fireEvent.click(screen.getByTestId('run-toggle-b'));
    await waitFor(() => expect(points('chart-loss')).toBe(2));
    const table = await screen.findByTestId('align-eval-a');
    expect(table.textContent).toContain('0.2500');
    expect(table.textContent).toContain('random');
    expect(screen.getByTestId('align-eval-a-shuffled').textContent).toMatch(
      /swapped.*0\.7000 \(\s*0\.8000 with their own\)/,
    );
    expect(screen.getByTestId('align-eval-a-too-long').textContent).toContain('task 2: 3 test examples');
    expect(screen.queryByTestId('align-eval-b')).toBeNull();
  });
});
