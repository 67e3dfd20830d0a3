/** Step 4: the language model to align: the built-in tiny LM, or a Hugging Face Llama-family folder. */
import { useState } from 'react';
import { fieldErrors, plainError, useApi } from '../api/index.ts';
import type { LlmInfo } from '../contracts.ts';
import { formatCount, formatGb } from '../shell/format.ts';
import { useProjectStore } from '../state/project-store.ts';
import { type Errors, useWizardStore } from './choices.ts';
import type { StepErrorsProps } from './DatasetStep.tsx';
import { DoneNote } from './DoneNote.tsx';
import { Field, toInt } from './Field.tsx';

export interface InspectProps {
  info: LlmInfo | null;
  setInfo: (i: LlmInfo | null) => void;
}

export function LlmStep({ errors, info, setInfo }: StepErrorsProps & InspectProps) {
  const api = useApi();
  const app = useProjectStore((s) => s.app);
  const summary = useProjectStore((s) => s.summary);
  const c = useWizardStore((s) => s.choices.llm);
  const redo = useWizardStore((s) => s.choices.redo.llm);
  const update = useWizardStore((s) => s.update);
  const [local, setLocal] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const err = { ...errors, ...local };
  const done = summary?.llm;

  const inspect = async () => {
    setLocal({});
    setBusy(true);
    try {
      setInfo(await api.invoke('llm.inspect', { dir: c.hfDir.trim() }));
    } catch (e) {
      setInfo(null);
      setLocal(fieldErrors(e, ['dir'], 'dir'));
    } finally {
      setBusy(false);
    }
  };
  const choose = async () => {
    try {
      const { dir } = await api.invoke('project.choose', { purpose: 'llm' });
      if (dir) {
        update('llm', { hfDir: dir });
        setInfo(null);
      }
    } catch (e) {
      setLocal({ dir: plainError(e) });
    }
  };

  return (
    <div>
      {done && (
        <DoneNote
          id="llm"
          redo={redo}
          onRedo={(v) => update('redo', { llm: v })}
          redoLabel="Replace the language model"
        >
          {done.kind === 'tiny' ? 'built-in tiny LM' : 'Hugging Face model'} <code>{done.path}</code>
        </DoneNote>
      )}
      <fieldset className="choice-row">
        <legend>Language model</legend>
        <label>
          <input
            type="radio"
            name="llm-source"
            checked={c.source === 'tiny'}
            onChange={() => update('llm', { source: 'tiny' })}
            data-testid="llm-source-tiny"
          />
          Built-in tiny LM (pre-trained on this project's items; minutes on a CPU)
        </label>
        <label>
          <input
            type="radio"
            name="llm-source"
            checked={c.source === 'hf'}
            onChange={() => update('llm', { source: 'hf' })}
            data-testid="llm-source-hf"
          />
          A Hugging Face folder (Llama, Qwen2, Mistral)
        </label>
      </fieldset>
      {c.source === 'tiny' ? (
        <Field id="llm-steps" label="Pre-training steps" error={err.steps}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              max={100000}
              value={Number.isNaN(c.steps) ? '' : c.steps}
              onChange={(e) => update('llm', { steps: toInt(e.target.value) })}
              data-testid="llm-steps"
            />
          )}
        </Field>
      ) : (
        <>
          <Field id="llm-dir" label="Model folder" error={err.dir} hint="config.json, *.safetensors and tokenizer.json">
            {(a) => (
              <div className="input-row">
                <input
                  {...a}
                  value={c.hfDir}
                  readOnly={app?.mode === 'electron'}
                  placeholder="/models/Qwen2.5-0.5B-Instruct"
                  onChange={(e) => {
                    update('llm', { hfDir: e.target.value });
                    setInfo(null);
                  }}
                  data-testid="llm-dir"
                />
                {app?.mode === 'electron' && (
                  <button type="button" onClick={choose}>
                    Choose…
                  </button>
                )}
                <button type="button" onClick={inspect} disabled={busy || !c.hfDir.trim()} data-testid="llm-inspect">
                  {busy ? 'Reading…' : 'Inspect'}
                </button>
              </div>
            )}
          </Field>
          {info && (
            <dl className="facts" data-testid="llm-info">
              <dt>Architecture</dt>
              <dd>{info.architecture}</dd>
              <dt>Parameters</dt>
              <dd>{formatCount(info.parameters)}</dd>
              <dt>Weights</dt>
              <dd>
                {info.dtype}, {formatGb(info.weightsBytes)} on disk
              </dd>
              <dt>Shape</dt>
              <dd>
                {info.layers} layers, hidden {info.hidden}, vocabulary {info.vocab}, context {info.maxPositions}
              </dd>
              <dt>Training memory</dt>
              <dd data-testid="llm-memory">about {formatGb(info.memoryBytes)} (LoRA, default alignment settings)</dd>
            </dl>
          )}
        </>
      )}
    </div>
  );
}
