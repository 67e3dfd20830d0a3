/** Step 2: the built-in demo dataset, or a folder previewed (format, files, first rows) before import. */
import { useState } from 'react';
import { fieldErrors, useApi } from '../api/index.ts';
import { DATASET_FORMAT_NAMES, type DatasetPreview } from '../contracts.ts';
import { useProjectStore } from '../state/project-store.ts';
import type { DatasetFormat, Errors } from './choices.ts';
import { useWizardStore } from './choices.ts';
import { DoneNote } from './DoneNote.tsx';
import { Field, toInt } from './Field.tsx';

const IMPORT_FORMATS = DATASET_FORMAT_NAMES.filter((f) => f !== 'synthetic');

export function DatasetStep({ errors, preview, setPreview }: StepErrorsProps & PreviewProps) {
  const api = useApi();
  const summary = useProjectStore((s) => s.summary);
  const c = useWizardStore((s) => s.choices.dataset);
  const redo = useWizardStore((s) => s.choices.redo);
  const update = useWizardStore((s) => s.update);
  const [local, setLocal] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const err = { ...errors, ...local };
  const done = summary?.dataset;

  const electron = useProjectStore((s) => s.app?.mode === 'electron');
  // Electron only reaches folders picked in its native dialog (DESIGN.md §9).
  const choose = async () => {
    try {
      const { dir } = await api.invoke('project.choose', { purpose: 'dataset' });
      if (dir) {
        update('dataset', { input: dir });
        setPreview(null);
      }
    } catch (e) {
      setLocal(fieldErrors(e, ['input'], 'input'));
    }
  };

  const runPreview = async () => {
    setLocal({});
    setBusy(true);
    try {
      const p = await api.invoke('dataset.preview', {
        input: c.input.trim(),
        ...(c.format ? { format: c.format } : {}),
      });
      setPreview(p);
      update('dataset', { format: p.format });
    } catch (e) {
      setPreview(null);
      setLocal(fieldErrors(e, ['input', 'format'], 'input'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      {done && (
        <DoneNote
          id="dataset"
          redo={redo.dataset}
          onRedo={(v) => update('redo', { dataset: v })}
          redoLabel="Import again (replaces the data, the recommender and the runs built on it)"
        >
          {done.format}, {done.users} users, {done.items} items, {done.interactions} interactions
        </DoneNote>
      )}
      <fieldset className="choice-row" disabled={!!done && !redo.dataset}>
        <legend>Source</legend>
        <label>
          <input
            type="radio"
            name="dataset-source"
            checked={c.source === 'demo'}
            onChange={() => update('dataset', { source: 'demo' })}
            data-testid="dataset-source-demo"
          />
          Built-in demo (synthetic, known ground truth)
        </label>
        <label>
          <input
            type="radio"
            name="dataset-source"
            checked={c.source === 'folder'}
            onChange={() => update('dataset', { source: 'folder' })}
            data-testid="dataset-source-folder"
          />
          Import from a folder
        </label>
      </fieldset>
      {c.source === 'demo' ? (
        <div className="field-grid">
          <CountField
            id="dataset-users"
            label="Users"
            hint="300 for a quick try"
            error={err.users}
            value={c.users}
            onChange={(users) => update('dataset', { users })}
          />
          <CountField
            id="dataset-items"
            label="Items"
            hint="150 for a quick try"
            error={err.items}
            value={c.items}
            onChange={(items) => update('dataset', { items })}
          />
        </div>
      ) : (
        <>
          <Field
            id="dataset-input"
            label="Folder or file to import"
            error={err.input}
            hint="MovieLens, RecBole, Amazon reviews, SASRec text or CSV/TSV"
          >
            {(a) => (
              <div className="input-row">
                <input
                  {...a}
                  value={c.input}
                  placeholder="/data/ml-100k"
                  onChange={(e) => {
                    update('dataset', { input: e.target.value });
                    setPreview(null);
                  }}
                  data-testid="dataset-input"
                />
                {electron && (
                  <button type="button" onClick={choose} data-testid="dataset-choose">
                    Choose…
                  </button>
                )}
                <button
                  type="button"
                  onClick={runPreview}
                  disabled={busy || !c.input.trim()}
                  data-testid="dataset-preview"
                >
                  {busy ? 'Reading…' : 'Preview'}
                </button>
              </div>
            )}
          </Field>
          {preview && <PreviewPanel preview={preview} errors={err} />}
        </>
      )}
    </div>
  );
}

export interface StepErrorsProps {
  errors: Errors;
}
export interface PreviewProps {
  preview: DatasetPreview | null;
  setPreview: (p: DatasetPreview | null) => void;
}

function PreviewPanel({ preview, errors }: { preview: DatasetPreview; errors: Errors }) {
  const c = useWizardStore((s) => s.choices.dataset);
  const update = useWizardStore((s) => s.update);
  const csvField = (key: 'userCol' | 'itemCol' | 'timeCol' | 'titleCol', label: string, required: boolean) => (
    <Field id={`dataset-csv-${key}`} label={label} error={errors[`csv.${key}`]}>
      {(a) => (
        <select
          {...a}
          value={c.csv[key]}
          onChange={(e) => update('dataset', { csv: { ...c.csv, [key]: e.target.value } })}
          data-testid={`dataset-csv-${key}`}
        >
          <option value="">{required ? 'Pick a column' : '(none)'}</option>
          {preview.columns.map((col) => (
            <option key={col} value={col}>
              {col}
            </option>
          ))}
        </select>
      )}
    </Field>
  );
  return (
    <section className="preview" aria-label="Dataset preview" data-testid="dataset-preview-panel">
      <Field id="dataset-format" label="Format" error={errors.format} hint={preview.reason}>
        {(a) => (
          <select
            {...a}
            value={c.format ?? ''}
            onChange={(e) => update('dataset', { format: (e.target.value || null) as DatasetFormat | null })}
            data-testid="dataset-format"
          >
            <option value="">(not detected: pick one)</option>
            {IMPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        )}
      </Field>
      <p className="muted">
        Files: {preview.files.join(', ') || 'none'}
        {preview.file ? ` · rows from ${preview.file}` : ''}
      </p>
      {c.format === 'csv' && (
        <div className="field-grid">
          {csvField('userCol', 'User column', true)}
          {csvField('itemCol', 'Item column', true)}
          {csvField('timeCol', 'Time column', false)}
          {csvField('titleCol', 'Title column', false)}
        </div>
      )}
      <div className="table-scroll">
        <table data-testid="dataset-preview-table">
          <thead>
            <tr>
              {preview.columns.map((col) => (
                <th key={col} scope="col">
                  {col}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {preview.rows.map((row, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: preview rows have no identity beyond their position
              <tr key={i}>
                {row.map((cell, j) => (
                  <td key={preview.columns[j] ?? j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** A demo-size input (users or items): a whole number, empty while the user is typing. */
function CountField(p: {
  id: string;
  label: string;
  hint: string;
  error: string | undefined;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <Field id={p.id} label={p.label} error={p.error} hint={p.hint}>
      {(a) => (
        <input
          {...a}
          type="number"
          min={10}
          max={100000}
          value={Number.isNaN(p.value) ? '' : p.value}
          onChange={(e) => p.onChange(toInt(e.target.value))}
          data-testid={p.id}
        />
      )}
    </Field>
  );
}
