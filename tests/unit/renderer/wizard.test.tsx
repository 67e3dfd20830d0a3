// @vitest-environment happy-dom
import { fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiProvider } from '../../../renderer/src/api/index.ts';
import { useProjectStore } from '../../../renderer/src/state/project-store.ts';
import { useUiStore } from '../../../renderer/src/state/ui-store.ts';
import {
  defaultChoices,
  useWizardStore,
  validateAlign,
  validateDataset,
  validateProject,
} from '../../../renderer/src/wizard/choices.ts';
import { Wizard } from '../../../renderer/src/wizard/Wizard.tsx';
import { baseHandlers, FakeApi, inputError, summary } from './fake-api.ts';
import { resetStores } from './reset-stores.ts';

afterEach(resetStores);

function renderWizard(api: FakeApi) {
  useProjectStore.getState().setApp({ version: '0', mode: 'browser', projectsRoot: '/projects' });
  return render(
    <ApiProvider api={api}>
      <Wizard />
    </ApiProvider>,
  );
}

describe('wizard validation', () => {
  it('project: needs an absolute folder', () => {
    const c = defaultChoices().project;
    expect(validateProject(c, 'browser').dir).toMatch(/folder/);
    expect(validateProject({ ...c, dir: 'rel/path' }, 'browser').dir).toMatch(/absolute/);
    expect(validateProject({ ...c, dir: '/projects/x' }, 'browser')).toEqual({});
  });
  it('dataset: demo sizes in range; a folder must be previewed and mapped when CSV', () => {
    const d = defaultChoices().dataset;
    expect(validateDataset(d, false)).toEqual({});
    expect(validateDataset({ ...d, users: 5 }, false).users).toBeDefined();
    expect(validateDataset({ ...d, items: Number.NaN }, false).items).toBeDefined();
    const folder = { ...d, source: 'folder' as const, input: '/data/x' };
    expect(validateDataset(folder, false).input).toMatch(/Preview/);
    const csv = validateDataset({ ...folder, format: 'csv' }, true);
    expect(Object.keys(csv).sort()).toEqual(['csv.itemCol', 'csv.userCol']);
  });
  it('alignment: a method and a task that applies to it', () => {
    const a = defaultChoices().align;
    expect(validateAlign(a)).toEqual({});
    expect(validateAlign({ ...a, methods: [] }).methods).toBeDefined();
    expect(validateAlign({ ...a, trainCounts: '2=3000,3=8000' })).toEqual({});
    expect(validateAlign({ ...a, trainCounts: '2=3000,9=5' }).trainCounts).toMatch(/got "9=5"/);
    expect(validateAlign({ ...a, methods: ['B'], tasks: [6] }).tasks).toMatch(/B/);
    expect(validateAlign({ ...a, steps: 0 }).steps).toBeDefined();
  });
});

describe('project step', () => {
  it('shows a local error without asking the engine when the folder is empty', async () => {
    const api = new FakeApi(baseHandlers());
    renderWizard(api);
    // Browser mode pre-fills a folder under the bridge's root, once; clearing it is the user's choice.
    const dir = screen.getByTestId('project-dir') as HTMLInputElement;
    await waitFor(() => expect(dir.value).toMatch(/\/my-project$/));
    fireEvent.change(dir, { target: { value: '' } });
    fireEvent.click(screen.getByTestId('project-submit'));
    expect(await screen.findByText(/Type the folder/)).toBeTruthy();
    expect(dir.value).toBe('');
    expect(api.callsOf('project.create')).toHaveLength(0);
  });

  it("puts an engine error about 'dir' next to the folder input", async () => {
    const api = new FakeApi({
      ...baseHandlers(),
      'project.create': () => {
        throw inputError('/projects/x is not empty and is not a project', 'dir');
      },
    });
    renderWizard(api);
    fireEvent.change(screen.getByTestId('project-dir'), { target: { value: '/projects/x' } });
    fireEvent.click(screen.getByTestId('project-submit'));
    await waitFor(() =>
      expect(screen.getByTestId('project-dir-error').textContent).toBe('/projects/x is not empty and is not a project'),
    );
    expect(screen.getByTestId('project-dir').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('project-dir').getAttribute('aria-describedby')).toContain('project-dir-error');
    expect(screen.getByTestId('project-form-error').textContent).toBe('');
  });

  it('creates the project, remembers it and moves to the dataset step; done steps show as done', async () => {
    const s = summary({
      dir: '/projects/x',
      name: 'x',
      dataset: { format: 'synthetic', users: 300, items: 150, interactions: 9000, hasGroundTruth: true },
    });
    const api = new FakeApi({ ...baseHandlers(), 'project.create': () => s, 'project.open': () => s });
    renderWizard(api);
    fireEvent.change(screen.getByTestId('project-dir'), { target: { value: '/projects/x' } });
    fireEvent.click(screen.getByTestId('project-submit'));
    await screen.findByTestId('wizard-step-dataset');
    expect(api.callsOf('project.create')[0]).toEqual({ dir: '/projects/x' });
    expect(useUiStore.getState().projectDir).toBe('/projects/x');
    expect(screen.getByTestId('dataset-done')).toBeTruthy();
    expect(screen.getByTestId('wizard-nav-dataset').dataset.done).toBe('true');
    fireEvent.click(screen.getByTestId('wizard-next')); // a done step can be skipped
    await screen.findByTestId('wizard-step-recommender');
  });

  it('creates a reproducible project when asked (one thread: the same numbers on every run)', async () => {
    const s = summary({ dir: '/projects/r', reproducible: true });
    const api = new FakeApi({ ...baseHandlers(), 'project.create': () => s, 'project.open': () => s });
    renderWizard(api);
    fireEvent.change(screen.getByTestId('project-dir'), { target: { value: '/projects/r' } });
    fireEvent.click(screen.getByTestId('project-reproducible'));
    fireEvent.click(screen.getByTestId('project-submit'));
    await screen.findByTestId('wizard-step-dataset');
    expect(api.callsOf('project.create')[0]).toEqual({ dir: '/projects/r', reproducible: true });
  });

  it('blocks Next on invalid input and shows the error by the field', async () => {
    useProjectStore.getState().setSummary(summary());
    useWizardStore.getState().setStep(1);
    renderWizard(new FakeApi(baseHandlers()));
    fireEvent.change(screen.getByTestId('dataset-users'), { target: { value: '3' } });
    fireEvent.click(screen.getByTestId('wizard-next'));
    expect(screen.getByTestId('dataset-users-error').textContent).toMatch(/10 to 100000/);
    expect(screen.getByTestId('wizard-step-dataset')).toBeTruthy();
  });

  it('dataset preview shows the format, reason and rows; an engine error lands on the input', async () => {
    useProjectStore.getState().setSummary(summary());
    useWizardStore.getState().setStep(1);
    let fail = true;
    const api = new FakeApi({
      ...baseHandlers(),
      'dataset.preview': ({ input }) => {
        if (fail) throw inputError(`${input}: no such folder`, 'input');
        return {
          input,
          format: 'csv',
          reason: 'a .csv file with a header',
          files: ['r.csv'],
          file: 'r.csv',
          columns: ['uid', 'iid'],
          rows: [['1', '2']],
        };
      },
    });
    renderWizard(api);
    fireEvent.click(screen.getByTestId('dataset-source-folder'));
    fireEvent.change(screen.getByTestId('dataset-input'), { target: { value: '/data/r' } });
    fireEvent.click(screen.getByTestId('dataset-preview'));
    await waitFor(() => expect(screen.getByTestId('dataset-input-error').textContent).toMatch(/no such folder/));
    fail = false;
    fireEvent.click(screen.getByTestId('dataset-preview'));
    await screen.findByTestId('dataset-preview-table');
    expect(screen.getByText('a .csv file with a header')).toBeTruthy();
    expect((screen.getByTestId('dataset-format') as HTMLSelectElement).value).toBe('csv');
    fireEvent.click(screen.getByTestId('wizard-next'));
    expect(screen.getByTestId('dataset-csv-userCol-error').textContent).toMatch(/user column/);
  });
});
