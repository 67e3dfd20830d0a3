// @vitest-environment happy-dom
import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../renderer/src/api/index.ts';
import type { ApiParams, PipelineStep } from '../../../renderer/src/contracts.ts';
import { App } from '../../../renderer/src/shell/App.tsx';
import { useProjectStore } from '../../../renderer/src/state/project-store.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import { defaultChoices, useWizardStore, validateAlign } from '../../../renderer/src/wizard/choices.ts';
import { buildPlan, usePlanStore } from '../../../renderer/src/wizard/plan.ts';
import { Wizard } from '../../../renderer/src/wizard/Wizard.tsx';
import { baseHandlers, FakeApi, inputError, pipeline, summary, withStates } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

// The wizard's Run: one engine-side pipeline (wizard.test.tsx has the steps themselves).
afterEach(resetStores);

function renderWizard(api: FakeApi) {
  useProjectStore.getState().setApp({ version: '0', mode: 'browser', projectsRoot: '/projects' });
  return render(
    <ApiProvider api={api}>
      <Wizard />
    </ApiProvider>,
  );
}

const pendingSteps = (steps: PipelineStep[]) =>
  steps.map((x) => ({ kind: x.kind, label: x.label, state: 'pending' as const, job: null, error: null }));

/** pipeline.start as the engine answers it: the pipeline with every step pending. */
const startHandler =
  (id = 'pl1') =>
  ({ project, steps }: ApiParams<'pipeline.start'>) =>
    pipeline({ id, project, steps: pendingSteps(steps) });

const monitorStates = () =>
  [...screen.getByTestId('monitor-plan').querySelectorAll('li')].map((li) => li.getAttribute('data-state'));

describe('run plan', () => {
  it('Run starts one engine pipeline with every step of the demo flow, then shows the monitor', async () => {
    useUiStore.getState().setProjectDir('/p');
    useProjectStore.getState().setSummary(summary({ dir: '/p' }));
    const w = useWizardStore.getState();
    w.update('align', { methods: ['B', 'I'], steps: 5 });
    w.setStep(5);
    const api = new FakeApi({ ...baseHandlers(), 'pipeline.start': startHandler() });
    renderWizard(api);
    expect(
      [...screen.getByTestId('review-plan').querySelectorAll('li')].map((li) => li.getAttribute('data-state')),
    ).toEqual(Array(7).fill('pending'));
    fireEvent.click(screen.getByTestId('wizard-run'));
    await waitFor(() => expect(useUiStore.getState().view).toBe('monitor'));
    // One request: the engine runs the steps itself (nothing is started from the page).
    expect(api.calls.map((c) => c.method)).toEqual(['pipeline.start']);
    expect(api.callsOf('pipeline.start')).toEqual([
      {
        project: '/p',
        steps: [
          {
            kind: 'dataset.import',
            label: 'Dataset: demo (300 users, 150 items)',
            params: { project: '/p', format: 'synthetic', synthetic: { users: 300, items: 150 }, force: false },
          },
          {
            kind: 'recommender.train',
            label: 'Recommender: sasrec-original, 20 epochs',
            params: { project: '/p', preset: 'sasrec-original', epochs: 20 },
          },
          {
            kind: 'llm.createTiny',
            label: 'Language model: built-in tiny LM, 300 steps',
            params: { project: '/p', steps: 300 },
          },
          {
            kind: 'align.train',
            label: 'Align B: tasks 1, 2, 3, 4, 5, 7, 5 steps',
            params: { project: '/p', method: 'B', tasks: [1, 2, 3, 4, 5, 7], steps: 5 },
          },
          // No run: the engine evaluates the run of the align.train step before it.
          { kind: 'align.eval', label: 'Evaluate B', params: { project: '/p' } },
          {
            kind: 'align.train',
            label: 'Align I: tasks 1, 2, 3, 4, 5, 6, 7, 5 steps',
            params: { project: '/p', method: 'I', tasks: [1, 2, 3, 4, 5, 6, 7], steps: 5 },
          },
          { kind: 'align.eval', label: 'Evaluate I', params: { project: '/p' } },
        ],
      },
    ]);
    expect(usePlanStore.getState().pipeline).toMatchObject({ id: 'pl1', project: '/p', state: 'running' });
    expect(usePlanStore.getState().pipeline?.steps).toHaveLength(7);
  });

  it('a csv folder import sends its mapping, trimmed input and force when the project has a dataset', async () => {
    useUiStore.getState().setProjectDir('/p');
    useProjectStore.getState().setSummary(
      summary({
        dir: '/p',
        dataset: { format: 'synthetic', users: 10, items: 10, interactions: 100, hasGroundTruth: true },
      }),
    );
    const w = useWizardStore.getState();
    w.update('redo', { dataset: true });
    w.update('align', { evaluate: false });
    w.setStep(1);
    const api = new FakeApi({
      ...baseHandlers(),
      'pipeline.start': startHandler(),
      'dataset.preview': ({ input }) => ({
        input,
        format: 'csv',
        reason: 'a .csv file with a header',
        files: ['r.csv'],
        file: 'r.csv',
        columns: ['uid', 'iid', 'ts'],
        rows: [['1', '2', '3']],
      }),
    });
    renderWizard(api);
    fireEvent.click(screen.getByTestId('dataset-source-folder'));
    fireEvent.change(screen.getByTestId('dataset-input'), { target: { value: ' /data/r ' } });
    fireEvent.click(screen.getByTestId('dataset-preview'));
    await screen.findByTestId('dataset-preview-table');
    fireEvent.change(screen.getByTestId('dataset-csv-userCol'), { target: { value: 'uid' } });
    fireEvent.change(screen.getByTestId('dataset-csv-itemCol'), { target: { value: 'iid' } });
    fireEvent.change(screen.getByTestId('dataset-csv-timeCol'), { target: { value: 'ts' } });
    fireEvent.click(screen.getByTestId('wizard-nav-review'));
    fireEvent.click(screen.getByTestId('wizard-run'));
    await waitFor(() => expect(api.callsOf('pipeline.start')).toHaveLength(1));
    const { steps } = api.callsOf('pipeline.start')[0];
    expect(steps.map((x) => x.kind)).toEqual(['dataset.import', 'recommender.train', 'llm.createTiny', 'align.train']);
    expect(steps[0]).toEqual({
      kind: 'dataset.import',
      label: 'Dataset: import csv from  /data/r ',
      params: {
        project: '/p',
        format: 'csv',
        input: '/data/r',
        csv: { userCol: 'uid', itemCol: 'iid', timeCol: 'ts' },
        force: true,
      },
    });
  });

  it('an engine refusal of the pipeline stays on the review step', async () => {
    useUiStore.getState().setProjectDir('/p');
    useProjectStore.getState().setSummary(summary({ dir: '/p' }));
    useWizardStore.getState().setStep(5);
    const api = new FakeApi({
      ...baseHandlers(),
      'pipeline.start': () => {
        throw inputError('a pipeline is already running for /p');
      },
    });
    renderWizard(api);
    fireEvent.click(screen.getByTestId('wizard-run'));
    await waitFor(() =>
      expect(screen.getByTestId('review-error').textContent).toBe('a pipeline is already running for /p'),
    );
    expect(useUiStore.getState().view).toBe('wizard');
    expect(usePlanStore.getState().pipeline).toBeNull();
    expect((screen.getByTestId('wizard-run') as HTMLButtonElement).disabled).toBe(false);
  });

  it('skips stages the project has; a Hugging Face model is a llm.useHf step', () => {
    const s = summary({
      dir: '/p',
      dataset: { format: 'synthetic', users: 1, items: 1, interactions: 1, hasGroundTruth: true },
      recommender: { kind: 'sasrec', dim: 64, evaluated: true },
    });
    const c = defaultChoices();
    c.llm = { ...c.llm, source: 'hf', hfDir: ' /models/gpt2 ' };
    expect(buildPlan(c, s)).toEqual([
      { kind: 'llm.useHf', label: 'Language model:  /models/gpt2 ', params: { project: '/p', dir: '/models/gpt2' } },
      {
        kind: 'align.train',
        label: 'Align I: tasks 1, 2, 3, 4, 5, 6, 7, 2000 steps',
        params: { project: '/p', method: 'I', tasks: [1, 2, 3, 4, 5, 6, 7] },
      },
      { kind: 'align.eval', label: 'Evaluate I', params: { project: '/p' } },
    ]);
  });

  /** A project whose dataset, recommender and LM exist: the plan holds only alignment steps. */
  const readyToAlign = () =>
    summary({
      dir: '/p',
      dataset: { format: 'synthetic', users: 1, items: 1, interactions: 1, hasGroundTruth: true },
      recommender: { kind: 'sasrec', dim: 64, evaluated: true },
      llm: { kind: 'tiny', path: 'llm/tiny' },
    });

  it('passes the examples per task to every align.train step', () => {
    const s = readyToAlign();
    const c = defaultChoices();
    c.align = { ...c.align, methods: ['B', 'I'], evaluate: false, trainCounts: ' 2=3000, 3=8000 ' };
    const plan = buildPlan(c, s);
    expect(plan.map((p) => p.params)).toEqual([
      { project: '/p', method: 'B', tasks: [1, 2, 3, 4, 5, 7], trainCounts: { 2: 3000, 3: 8000 } },
      { project: '/p', method: 'I', tasks: [1, 2, 3, 4, 5, 6, 7], trainCounts: { 2: 3000, 3: 8000 } },
    ]);
    expect(plan[0].label).toBe('Align B: tasks 1, 2, 3, 4, 5, 7, 3000 steps, examples 2=3000, 3=8000');
  });

  it("leaves the steps to each method's default unless the user sets them, and shows them either way", () => {
    const c = defaultChoices();
    expect(c.align.steps).toBeNull();
    expect(validateAlign(c.align)).toEqual({});
    c.align = { ...c.align, methods: ['B', 'H'], evaluate: false };
    const defaults = buildPlan(c, readyToAlign());
    expect(defaults.map((p) => [p.label.match(/(\d+) steps/)?.[1], 'steps' in p.params])).toEqual([
      ['3000', false],
      ['2000', false],
    ]);
    c.align.steps = 40;
    expect(buildPlan(c, readyToAlign()).map((p) => p.params)).toMatchObject([{ steps: 40 }, { steps: 40 }]);
    c.align.steps = 0;
    expect(validateAlign(c.align).steps).toMatch(/whole number from 1 to 1000000, or empty/);
  });

  it('passes the embedding-table choice only when the user overrides the engine default', () => {
    const s = readyToAlign();
    const c = defaultChoices();
    expect(c.align.embeddings).toBe('auto');
    c.align = { ...c.align, methods: ['H'], evaluate: false };
    expect(buildPlan(c, s)[0].params).not.toHaveProperty('trainEmbeddings');
    c.align.embeddings = 'frozen';
    const frozen = buildPlan(c, s)[0];
    expect(frozen.params).toMatchObject({ method: 'H', trainEmbeddings: false });
    expect(frozen.label).toMatch(/2000 steps, embeddings frozen$/);
    c.align.embeddings = 'train';
    expect(buildPlan(c, s)[0].params).toMatchObject({ trainEmbeddings: true });
  });
});

describe('engine pipeline in the app', () => {
  function renderApp(api: FakeApi) {
    return render(
      <ApiProvider api={api}>
        <App />
      </ApiProvider>,
    );
  }

  it('pipeline.update events move the monitor plan; the last one refreshes the project', async () => {
    useUiStore.getState().setProjectDir('/projects/p');
    useWizardStore.getState().setStep(5);
    const api = new FakeApi({
      ...baseHandlers(),
      'project.open': () => summary(),
      'pipeline.start': startHandler(),
    });
    renderApp(api);
    await waitFor(() => expect((screen.getByTestId('wizard-run') as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId('wizard-run'));
    await screen.findByTestId('monitor-plan');
    const started = usePlanStore.getState().pipeline!;
    const n = started.steps.length;
    expect(monitorStates()).toEqual(Array(n).fill('pending'));
    expect(screen.getByTestId('plan-cancel')).toBeTruthy();

    act(() => api.emit('pipeline.update', withStates(started, ['running'])));
    expect(monitorStates()).toEqual(['running', ...Array(n - 1).fill('pending')]);
    // Another project's pipeline is not this one's.
    act(() => api.emit('pipeline.update', pipeline({ id: 'other', project: '/projects/q', createdAt: '2027-01-01' })));
    expect(usePlanStore.getState().pipeline?.id).toBe('pl1');

    const opened = api.callsOf('project.open').length;
    act(() => api.emit('pipeline.update', { ...withStates(started, Array(n).fill('done')), state: 'done' }));
    expect(monitorStates()).toEqual(Array(n).fill('done'));
    expect(screen.queryByTestId('plan-cancel')).toBeNull();
    await waitFor(() => expect(api.callsOf('project.open').length).toBeGreaterThan(opened));
  });

  it('after a reload the running pipeline shows again, and Stop run cancels it', async () => {
    useUiStore.getState().setProjectDir('/projects/p');
    useUiStore.getState().setView('monitor');
    const running = withStates(pipeline(), ['running', 'pending']);
    const api = new FakeApi({
      ...baseHandlers(),
      'project.open': () => summary(),
      'pipeline.list': () => [
        pipeline({ id: 'old', state: 'done', createdAt: '2026-11-28T00:00:00Z' }),
        running,
        pipeline({ id: 'elsewhere', project: '/projects/q', createdAt: '2026-11-30T00:00:00Z' }),
      ],
      'pipeline.cancel': () => ({ cancelled: true }),
    });
    renderApp(api);
    await screen.findByTestId('monitor-plan');
    expect(usePlanStore.getState().pipeline?.id).toBe('pl1');
    expect(monitorStates()).toEqual(['running', 'pending']);
    expect(screen.getByTestId('monitor-plan').textContent).toContain('Align I');

    fireEvent.click(screen.getByTestId('plan-cancel'));
    expect(api.callsOf('pipeline.cancel')).toEqual([{ pipeline: 'pl1' }]);
    act(() =>
      api.emit('pipeline.update', {
        ...withStates(running, ['cancelled', 'cancelled']),
        state: 'cancelled',
      }),
    );
    expect(monitorStates()).toEqual(['cancelled', 'cancelled']);
    expect(screen.queryByTestId('plan-cancel')).toBeNull();
  });

  it('the failed step of the last pipeline shows on the review step; another project clears it', async () => {
    useUiStore.getState().setProjectDir('/projects/p');
    useWizardStore.getState().setStep(5);
    const failed = {
      ...pipeline(),
      state: 'failed' as const,
      steps: [
        { kind: 'align.train', label: 'Align I', state: 'failed' as const, job: 'j1', error: 'out of memory' },
        { kind: 'align.eval', label: 'Evaluate I', state: 'pending' as const, job: null, error: null },
      ],
    };
    const api = new FakeApi({
      ...baseHandlers(),
      'project.open': ({ dir }) => summary({ dir }),
      'pipeline.list': () => [failed],
    });
    renderApp(api);
    await waitFor(() =>
      expect(screen.getByTestId('review-last-failure').textContent).toContain('“Align I”: out of memory'),
    );
    act(() => useUiStore.getState().setProjectDir('/projects/q'));
    await waitFor(() => expect(screen.queryByTestId('review-last-failure')).toBeNull());
    expect(usePlanStore.getState().pipeline).toBeNull();
  });
});
