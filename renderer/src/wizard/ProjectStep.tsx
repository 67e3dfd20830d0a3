/** Step 1: create a project folder or open an existing one. */
import { type FormEvent, useEffect, useState } from 'react';
import { fieldErrors, plainError, useApi } from '../api/index.ts';
import { refreshProject, useProjectStore } from '../state/project-store.ts';
import { useUiStore } from '../state/ui-store.ts';
import { type Errors, useWizardStore, validateProject } from './choices.ts';
import { Field, FormError } from './Field.tsx';

export function ProjectStep({ onDone }: { onDone: () => void }) {
  const api = useApi();
  const app = useProjectStore((s) => s.app);
  const electron = app?.mode === 'electron';
  // Browser mode: start from the bridge's root, where folders are allowed; once, so typing replaces it.
  const root = app?.projectsRoot;
  useEffect(() => {
    const w = useWizardStore.getState();
    if (!electron && root && !w.choices.project.dir) w.update('project', { dir: `${root}/my-project` });
  }, [electron, root]);
  const summary = useProjectStore((s) => s.summary);
  const c = useWizardStore((s) => s.choices.project);
  const update = useWizardStore((s) => s.update);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const choose = async () => {
    try {
      const { dir } = await api.invoke('project.choose', { purpose: c.mode });
      if (dir) update('project', { dir });
    } catch (e) {
      setErrors({ dir: plainError(e) });
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const local = validateProject(c, electron ? 'electron' : 'browser');
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      const dir = c.dir.trim();
      const s =
        c.mode === 'create'
          ? await api.invoke('project.create', {
              dir,
              ...(c.name.trim() ? { name: c.name.trim() } : {}),
              ...(c.reproducible ? { reproducible: true } : {}),
            })
          : await api.invoke('project.open', { dir });
      useUiStore.getState().setProjectDir(s.dir);
      await refreshProject(api, s.dir).catch(() => useProjectStore.getState().setSummary(s));
      onDone();
    } catch (e) {
      setErrors(fieldErrors(e, ['dir', 'name']));
    } finally {
      setBusy(false);
    }
  };

  const placeholder = app?.projectsRoot ? `${app.projectsRoot}/my-project` : '/path/to/my-project';
  return (
    <form onSubmit={submit} noValidate>
      {summary && (
        <p className="done-note" data-testid="project-open-note">
          Open: <strong>{summary.name}</strong> <code>{summary.dir}</code>
          {summary.reproducible && ' · reproducible (one thread)'}
        </p>
      )}
      <fieldset className="choice-row">
        <legend>Project</legend>
        {(['create', 'open'] as const).map((m) => (
          <label key={m}>
            <input
              type="radio"
              name="project-mode"
              checked={c.mode === m}
              onChange={() => update('project', { mode: m })}
              data-testid={`project-mode-${m}`}
            />
            {m === 'create' ? 'Create a new project' : 'Open an existing project'}
          </label>
        ))}
      </fieldset>
      <Field id="project-dir" label="Project folder" error={errors.dir}>
        {(a) => (
          <div className="input-row">
            <input
              {...a}
              value={c.dir}
              placeholder={placeholder}
              readOnly={electron}
              onChange={(e) => update('project', { dir: e.target.value })}
              data-testid="project-dir"
            />
            {electron && (
              <button type="button" onClick={choose} data-testid="project-choose">
                Choose…
              </button>
            )}
          </div>
        )}
      </Field>
      {c.mode === 'create' && (
        <Field id="project-name" label="Name (optional)" error={errors.name}>
          {(a) => (
            <input
              {...a}
              value={c.name}
              onChange={(e) => update('project', { name: e.target.value })}
              data-testid="project-name-input"
            />
          )}
        </Field>
      )}
      {c.mode === 'create' && (
        <label className="check">
          <input
            type="checkbox"
            checked={c.reproducible}
            onChange={(e) => update('project', { reproducible: e.target.checked })}
            data-testid="project-reproducible"
          />
          Reproducible: train and score with one CPU thread, so every run gives the same numbers (slower on many cores)
        </label>
      )}
      <FormError error={errors.form} testId="project-form-error" />
      <button type="submit" className="primary" disabled={busy} data-testid="project-submit">
        {busy ? 'Working…' : c.mode === 'create' ? 'Create project' : 'Open project'}
      </button>
    </form>
  );
}
