// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { buildLossSeries, buildRecommenderCurve, buildScalarSeries, ema } from '../../../renderer/src/charts/series.ts';
import type { MetricsLine } from '../../../renderer/src/contracts.ts';
import { alignEvalRows } from '../../../renderer/src/monitor/AlignEvalTable.tsx';
import { connectJobEvents, currentJob, useJobsStore } from '../../../renderer/src/state/jobs-store.ts';
import { latestEta, mergeMetricLines } from '../../../renderer/src/state/metrics.ts';
import * as sel from '../../../renderer/src/state/selection.ts';
import {
  defaultUiState,
  initialUiState,
  restoreUiState,
  STORAGE_KEY,
  serializeUiState,
  uiStateFromHash,
  uiStateToHash,
} from '../../../renderer/src/state/ui-state.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { baseHandlers, FakeApi, job } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

afterEach(resetStores);

describe('UI state serialisation', () => {
  const state = {
    ...defaultUiState(),
    view: 'explorer' as const,
    theme: 'dark' as const,
    projectDir: '/projects/p',
    selectedRuns: ['align-I-1', 'align-B-2'],
    explorer: {
      workingSet: [3, 7],
      primary: { user: 7, item: 12 },
      pinned: [{ user: 3, item: 4 }],
      query: 'star',
      page: 2,
    },
    chart: { smoothing: 0.8, xAxis: 'time' as const },
  };

  it('round-trips through JSON and through a URL hash', () => {
    expect(restoreUiState(serializeUiState(state))).toEqual(state);
    const hash = uiStateToHash(state);
    expect(hash.startsWith('#state=')).toBe(true);
    expect(uiStateFromHash(hash)).toEqual(state);
    expect(uiStateFromHash('#other')).toBeNull();
  });

  it('falls back to defaults field by field for damaged saved state', () => {
    expect(restoreUiState('{not json')).toEqual(defaultUiState());
    const r = restoreUiState(JSON.stringify({ ...state, view: 'nope', chart: { smoothing: 5, xAxis: 'time' } }));
    expect(r.view).toBe('wizard');
    expect(r.chart).toEqual({ smoothing: 0.6, xAxis: 'time' });
    expect(r.projectDir).toBe('/projects/p');
  });

  it('prefers a state link over localStorage, and the store saves every change', () => {
    const storage = { getItem: () => serializeUiState({ ...state, view: 'monitor' }) };
    expect(initialUiState('', storage).view).toBe('monitor');
    expect(initialUiState(uiStateToHash(state), storage).view).toBe('explorer');
    useUiStore.getState().setView('monitor');
    useUiStore.getState().setChart({ smoothing: 0.3 });
    const saved = restoreUiState(localStorage.getItem(STORAGE_KEY));
    expect(saved.view).toBe('monitor');
    expect(saved.chart.smoothing).toBe(0.3);
  });

  it('a new project clears selections that named things in the old one', () => {
    const s = useUiStore.getState();
    s.setProjectDir('/a');
    s.toggleRun('r1');
    s.selectUser(5);
    s.setProjectDir('/b');
    expect(useUiStore.getState().selectedRuns).toEqual([]);
    expect(useUiStore.getState().explorer.primary).toBeNull();
  });
});

describe('selection', () => {
  it('a plain click resets the working set; an additive click extends it', () => {
    let s = sel.selectUser(sel.emptySelection(), 1);
    s = sel.selectUser(s, 2, true);
    expect(s.workingSet).toEqual([1, 2]);
    expect(s.primary).toEqual({ user: 2, item: null });
    expect(sel.selectUser(s, 3).workingSet).toEqual([3]);
  });

  it('removing the primary from the working set moves primary to a remaining user', () => {
    let s = sel.selectUser(sel.selectUser(sel.emptySelection(), 1), 2, true);
    s = sel.toggleWorkingSet(s, 2);
    expect(s.primary).toEqual({ user: 1, item: null });
    expect(sel.toggleWorkingSet(s, 1).primary).toBeNull();
  });

  it('steps through the working set with wrap-around and keeps the item of a reselected user', () => {
    let s = sel.selectUser(sel.selectUser(sel.selectUser(sel.emptySelection(), 1), 2, true), 3, true);
    expect(sel.stepPrimary(s, 1).primary?.user).toBe(1);
    expect(sel.stepPrimary(s, -1).primary?.user).toBe(2);
    s = sel.selectItem(s, 9);
    expect(sel.selectUser(s, 3, true).primary).toEqual({ user: 3, item: 9 });
  });

  it('pins without duplicates, drops the oldest past the limit, unpins', () => {
    let s = sel.emptySelection();
    for (let u = 0; u < sel.MAX_PINNED + 2; u++) s = sel.pinCase(s, { user: u, item: 1 });
    s = sel.pinCase(s, { user: sel.MAX_PINNED + 1, item: 1 });
    expect(s.pinned.map((p) => p.user)).toEqual([2, 3, 4, 5]);
    expect(sel.isPinned(s, { user: 3, item: 1 })).toBe(true);
    expect(sel.isPinned(sel.unpinCase(s, { user: 3, item: 1 }), { user: 3, item: 1 })).toBe(false);
  });
});

describe('EMA smoothing', () => {
  it('is the identity at 0 and keeps a constant series constant (bias-corrected)', () => {
    expect(ema([3, 1, 2], 0)).toEqual([3, 1, 2]);
    for (const v of ema([5, 5, 5, 5], 0.9)) expect(v).toBeCloseTo(5, 12);
  });
  it('follows the recurrence and damps a spike', () => {
    const out = ema([0, 10], 0.5);
    expect(out[0]).toBe(0);
    expect(out[1]).toBeCloseTo((0.5 * 0.5 * 0 + 0.5 * 10) / (1 - 0.25), 12);
    expect(ema([1, 1, 100, 1], 0.8)[2]).toBeLessThan(50);
  });
});

describe('metrics accumulation', () => {
  const step = (n: number, loss: number): MetricsLine => ({ step: n, loss, timeSec: n / 10 });
  it('appends live lines, merges overlapping history once, keeps eval lines beside step lines', () => {
    let lines = mergeMetricLines([], [step(3, 1), step(4, 0.9)]);
    lines = mergeMetricLines([step(1, 2), step(2, 1.5), step(3, 1)], lines);
    lines = mergeMetricLines(lines, [{ step: 4, eval: { 'loss/T1': 1.2 } }]);
    expect(lines.map((l) => `${l.step}${l.eval ? 'e' : ''}`)).toEqual(['1', '2', '3', '4', '4e']);
  });

  it('keeps lines per run from job.metrics events and restores jobs from jobs.list', async () => {
    const api = new FakeApi({ ...baseHandlers(), 'jobs.list': () => [job({ id: 'j0', kind: 'align.train' })] });
    const off = connectJobEvents(api);
    api.emit('job.metrics', { job: 'j1', run: 'run-a', lines: [step(1, 2)] });
    api.emit('job.metrics', { job: 'j2', run: 'run-b', lines: [step(1, 5)] });
    api.emit('job.metrics', { job: 'j1', run: 'run-a', lines: [step(2, 1.5), { ...step(3, 1.2), etaSec: 30 }] });
    api.emit('job.metrics', { job: 'j3', run: null, lines: [step(1, 0.7)] });
    const m = useJobsStore.getState().metrics;
    expect(m['run-a'].map((l) => l.step)).toEqual([1, 2, 3]);
    expect(m['run-b']).toHaveLength(1);
    expect(m['job:j3']).toHaveLength(1);
    expect(latestEta(m['run-a'])).toBe(30);
    await Promise.resolve();
    await Promise.resolve();
    expect(currentJob(useJobsStore.getState().jobs)?.id).toBe('j0');
    off();
    api.emit('job.metrics', { job: 'j1', run: 'run-a', lines: [step(9, 1)] });
    expect(useJobsStore.getState().metrics['run-a']).toHaveLength(3);
  });
});

describe('chart data builders', () => {
  const lines: MetricsLine[] = [
    { step: 1, timeSec: 1, loss: 4, lr: 1e-4, tokensPerSec: 100, rssMb: 500 },
    { step: 2, timeSec: 2, loss: 3, lr: 2e-4, tokensPerSec: 120, rssMb: 510 },
    { step: 2, eval: { 'loss/T3': 2.5, 'loss/T1': 3.5 } },
    { step: 3, loss: 2, lr: 2e-4 },
  ];
  it('loss: a training line per run and one dashed line per task from eval lines', () => {
    const s = buildLossSeries([{ label: 'I', lines }], { smoothing: 0, xAxis: 'step' });
    expect(s.map((x) => x.name)).toEqual(['I train', 'I T1', 'I T3']);
    expect(s[0].data).toEqual([
      [1, 4],
      [2, 3],
      [3, 2],
    ]);
    expect(s[1]).toMatchObject({ data: [[2, 3.5]], dashed: true });
  });
  it('time axis skips lines without a time; lr is never smoothed', () => {
    const s = buildLossSeries([{ label: 'I', lines }], { smoothing: 0, xAxis: 'time' });
    expect(s[0].data).toEqual([
      [1, 4],
      [2, 3],
    ]);
    const lr = buildScalarSeries([{ label: 'I', lines }], 'lr', { smoothing: 0.9, xAxis: 'step' });
    expect(lr[0].data.map((p) => p[1])).toEqual([1e-4, 2e-4, 2e-4]);
  });
  it('recommender curve: mean loss per epoch and validation NDCG@10 per epoch', () => {
    const rec: MetricsLine[] = [
      { step: 1, loss: 4 },
      { step: 2, loss: 2 },
      { step: 2, eval: { epoch: 1, 'NDCG@10': 0.1 } },
      { step: 3, loss: 1 },
      { step: 4, loss: 1 },
      { step: 4, eval: { epoch: 2, 'NDCG@10': 0.2 } },
    ];
    const [loss, ndcg] = buildRecommenderCurve(rec);
    expect(loss.data).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(ndcg).toMatchObject({
      yAxis: 1,
      data: [
        [1, 0.1],
        [2, 0.2],
      ],
    });
  });
  it('alignment table rows: the method, then random, popularity, untrained LM', () => {
    const m = { T1: { 'HR@5': 0.5, 'NDCG@5': 0.4 }, T2: null, T3: { ACC: 0.9 }, T4: null, T6: null };
    const rows = alignEvalRows({
      method: 'I',
      ...m,
      baselines: { untrained: m, random: { ...m, T3: null }, popularity: m },
    });
    expect(rows.map((r) => r.label)).toEqual(['I', 'random', 'popularity', 'untrained LM']);
    expect(rows[0].values).toEqual([0.5, 0.4, null, 0.9, null, null]);
    expect(rows[1].values[3]).toBeNull();
  });
});
