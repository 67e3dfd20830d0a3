// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../renderer/src/api/index.ts';
import type { ItemView } from '../../../renderer/src/contracts.ts';
import { Explorer } from '../../../renderer/src/explorer/Explorer.tsx';
import { connectJobEvents } from '../../../renderer/src/state/jobs-store.ts';
import { useProjectStore } from '../../../renderer/src/state/project-store.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { baseHandlers, FakeApi, summary } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

afterEach(resetStores);

const ready = summary({
  dataset: { format: 'synthetic', users: 3, items: 5, interactions: 9, hasGroundTruth: true },
  recommender: { kind: 'sasrec', dim: 8, evaluated: true },
});

const HISTORY: ItemView[] = [
  { item: 1, title: 'Alien', attributes: { genres: ['Sci-Fi', 'Horror'] } },
  { item: 2, title: 'Heat', attributes: { year: 1995 } },
];

function fakeExplorerApi() {
  return new FakeApi({
    ...baseHandlers(),
    'explorer.users': ({ query }) => {
      const users = [
        { user: 1, historyLength: 3, recent: ['Alien', 'Heat'] },
        { user: 2, historyLength: 2, recent: ['Up'] },
      ].filter((u) => !query || u.recent.some((t) => t.toLowerCase().includes(query.toLowerCase())));
      return { total: users.length, users };
    },
    'explorer.user': ({ user }) => ({
      user,
      history: HISTORY,
      topK: [
        { item: 4, title: 'Aliens', attributes: {}, score: 2.5, rank: 1 },
        { item: 5, title: 'Ronin', attributes: {}, score: 1.0, rank: 2 },
      ],
    }),
    'explorer.attribution': ({ user, item }) => ({
      user,
      item,
      score: 2.5,
      rank: 1,
      contributions: [
        { item: 2, title: 'Heat', drop: 0.1 },
        { item: 1, title: 'Alien', drop: 1.2 },
      ],
    }),
    'explain.start': () => ({ job: 'e1' }),
    'explain.faithfulness': ({ text }) => ({
      user: 1,
      item: 4,
      citations: text.includes('Alien') ? [{ title: 'Alien', item: 3 }] : [],
      citationValidity: text.includes('Alien') ? 1 : null,
      score: 2,
      rank: 1,
      cited: { removed: 1, score: 1.5, drop: 0.5, rank: 3, rankChange: 2 },
      random: { removed: 1, score: 1.9, drop: 0.1, rank: 1.2, rankChange: 0.2, draws: 5 },
    }),
  });
}

function setup(api: FakeApi, runs = useProjectStore.getState().runs) {
  useUiStore.getState().setProjectDir(ready.dir);
  useProjectStore.setState({ summary: ready, runs });
  connectJobEvents(api);
  return render(
    <ApiProvider api={api}>
      <Explorer />
    </ApiProvider>,
  );
}

describe('explorer', () => {
  it('waits for a dataset and a recommender', () => {
    useUiStore.getState().setProjectDir('/projects/p');
    useProjectStore.setState({ summary: summary() });
    render(
      <ApiProvider api={new FakeApi(baseHandlers())}>
        <Explorer />
      </ApiProvider>,
    );
    expect(screen.getByTestId('explorer-not-ready')).toBeTruthy();
  });

  it('search asks explorer.users with the query once typing pauses', async () => {
    const api = fakeExplorerApi();
    setup(api);
    await screen.findByTestId('explorer-user-row-2');
    fireEvent.change(screen.getByTestId('explorer-search'), { target: { value: 'a' } });
    fireEvent.change(screen.getByTestId('explorer-search'), { target: { value: 'ali' } });
    await waitFor(() => expect(screen.queryByTestId('explorer-user-row-2')).toBeNull());
    const queries = api.callsOf('explorer.users').map((p) => p.query);
    expect(queries).toEqual([undefined, 'ali']); // debounced: no request for "a"
    expect(api.callsOf('explorer.users')[1]).toMatchObject({ offset: 0, limit: 25, project: ready.dir });
  });

  it('selecting a user loads history and top-k; an item shows its attribution', async () => {
    const api = fakeExplorerApi();
    setup(api);
    fireEvent.click(await screen.findByTestId('explorer-user-row-1'));
    const detail = await screen.findByTestId('explorer-user-detail');
    expect(api.callsOf('explorer.user')).toEqual([{ project: ready.dir, user: 1, k: 10 }]);
    expect(detail.textContent).toContain('Sci-Fi');
    expect(detail.textContent).toContain('year: 1995');
    expect(screen.getByTestId('explorer-topk').textContent).toContain('Aliens');
    expect(screen.queryByTestId('explorer-attribution')).toBeNull(); // no item selected yet: no case panels
    fireEvent.click(screen.getByTestId('explorer-topk-1'));
    const bars = await screen.findByTestId('explorer-attribution');
    expect(bars.querySelectorAll('li')[0].textContent).toContain('Alien'); // biggest drop first
    expect(screen.getByTestId('explain-no-runs')).toBeTruthy(); // no aligned run: a hint, not a button
    expect(useUiStore.getState().explorer.primary).toEqual({ user: 1, item: 4 });
  });

  it('Explain streams each run’s text into its own box; a pinned case keeps it in the compare strip', async () => {
    const api = fakeExplorerApi();
    setup(api, [
      { id: 'align-B-1', method: 'B', steps: 5, completed: true, finalLoss: 1, evaluated: false },
      { id: 'align-I-1', method: 'I', steps: 5, completed: true, finalLoss: 1, evaluated: false },
      { id: 'align-H-1', method: 'H', steps: 5, completed: false, finalLoss: null, evaluated: false },
    ]);
    fireEvent.click(await screen.findByTestId('explorer-user-row-1'));
    fireEvent.click(await screen.findByTestId('explorer-topk-1'));
    fireEvent.click(screen.getByTestId('explain-button'));
    await waitFor(() => expect(api.callsOf('explain.start')).toHaveLength(1));
    expect(api.callsOf('explain.start')[0]).toEqual({
      project: ready.dir,
      user: 1,
      item: 4,
      runs: ['align-B-1', 'align-I-1'],
    });
    expect(screen.queryByTestId('explanation-align-H-1')).toBeNull(); // unfinished runs cannot explain
    act(() => api.emit('job.token', { job: 'e1', model: 'align-I-1', text: 'Because you watched', done: false }));
    expect(screen.getByTestId('explanation-text-align-I-1').textContent).toBe('Because you watched');
    act(() => api.emit('job.token', { job: 'e1', model: 'align-I-1', text: 'Because you watched Alien.', done: true }));
    act(() => api.emit('job.token', { job: 'other', model: 'align-B-1', text: 'not ours', done: true }));
    expect(screen.getByTestId('explanation-text-align-I-1').textContent).toBe('Because you watched Alien.');
    expect(screen.getByTestId('explanation-text-align-B-1').textContent).toBe('…');
    expect(screen.getByTestId('explanation-text-align-I-1').getAttribute('aria-live')).toBe('polite');
    // A finished explanation is scored once for faithfulness, with its own text.
    const faith = await screen.findByTestId('faithfulness-e1:align-I-1');
    await waitFor(() => expect(faith.textContent).toContain('Cites Alien ✓'));
    expect(faith.textContent).toContain('0.500');
    expect(faith.textContent).toContain('0.100');
    expect(api.callsOf('explain.faithfulness')).toEqual([
      { project: ready.dir, user: 1, item: 4, text: 'Because you watched Alien.' },
    ]);
    fireEvent.click(screen.getByTestId('explorer-pin'));
    const card = await screen.findByTestId('pinned-1:4');
    expect(card.textContent).toContain('Aliens');
    expect(card.textContent).toContain('Because you watched Alien.');
    fireEvent.click(screen.getByTestId('unpin-1:4'));
    expect(screen.queryByTestId('explorer-compare')).toBeNull();
  });
});
