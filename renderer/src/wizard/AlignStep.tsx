/** Step 5: alignment methods (each ticked method is one run, queued) and the tasks to train. */
import { DEFAULT_ALIGN_STEPS_TEXT, TRAIN_COUNTS_EXAMPLE } from '../contracts.ts';
import { useProjectStore } from '../state/project-store.ts';
import { type EmbeddingsChoice, METHODS, type Method, TASKS, useWizardStore } from './choices.ts';
import type { StepErrorsProps } from './DatasetStep.tsx';
import { Field, FormError, toInt } from './Field.tsx';

const toggle = <T,>(list: readonly T[], v: T) => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);

export function AlignStep({ errors }: StepErrorsProps) {
  const runs = useProjectStore((s) => s.runs);
  const c = useWizardStore((s) => s.choices.align);
  const update = useWizardStore((s) => s.update);
  const onlyB = c.methods.length > 0 && c.methods.every((m) => m === 'B');
  return (
    <div>
      {runs.length > 0 && (
        <p className="done-note" data-testid="align-existing">
          This project has {runs.length} run{runs.length > 1 ? 's' : ''} already ({runs.map((r) => r.method).join(', ')}
          ). New runs are added beside them.
        </p>
      )}
      <fieldset aria-describedby="align-methods-error">
        <legend>Methods (one run each)</legend>
        {METHODS.map((m) => (
          <label key={m.id} className="check">
            <input
              type="checkbox"
              checked={c.methods.includes(m.id)}
              onChange={() => update('align', { methods: toggle(c.methods, m.id as Method).sort() })}
              data-testid={`align-method-${m.id}`}
            />
            {m.name}
          </label>
        ))}
        <FormError error={errors.methods} testId="align-methods-error" />
      </fieldset>
      <fieldset aria-describedby="align-tasks-error">
        <legend>Tasks</legend>
        <div className="task-grid">
          {TASKS.map((t) => (
            <label
              key={t.id}
              className="check"
              title={t.methods.length < 3 ? `Only for ${t.methods.join(' / ')}` : undefined}
            >
              <input
                type="checkbox"
                checked={c.tasks.includes(t.id)}
                onChange={() => update('align', { tasks: toggle(c.tasks, t.id).sort((a, b) => a - b) })}
                data-testid={`align-task-${t.id}`}
              />
              {t.id} {t.name}
              {t.methods.length < 3 && (
                <span className="muted">
                  {' '}
                  ({t.methods.join('/')} only{onlyB ? ', skipped for B' : ''})
                </span>
              )}
            </label>
          ))}
        </div>
        <FormError error={errors.tasks} testId="align-tasks-error" />
      </fieldset>
      <div className="field-grid">
        <Field id="align-steps" label="Training steps per run" error={errors.steps}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              max={1000000}
              value={c.steps === null || Number.isNaN(c.steps) ? '' : c.steps}
              placeholder={`empty: ${DEFAULT_ALIGN_STEPS_TEXT}`}
              onChange={(e) => update('align', { steps: e.target.value.trim() === '' ? null : toInt(e.target.value) })}
              data-testid="align-steps"
            />
          )}
        </Field>
        <Field id="align-train-counts" label="Training examples per task (optional)" error={errors.trainCounts}>
          {(a) => (
            <input
              {...a}
              value={c.trainCounts}
              placeholder={`e.g. ${TRAIN_COUNTS_EXAMPLE}; empty: the default mix`}
              onChange={(e) => update('align', { trainCounts: e.target.value })}
              data-testid="align-train-counts"
            />
          )}
        </Field>
        <Field id="align-embeddings" label="Token embedding table">
          {(a) => (
            <select
              {...a}
              value={c.embeddings}
              onChange={(e) => update('align', { embeddings: e.target.value as EmbeddingsChoice })}
              data-testid="align-embeddings"
            >
              <option value="auto">Automatic: trained when small (the built-in tiny LM)</option>
              <option value="train">Train it (and a tied LM head)</option>
              <option value="frozen">Keep it frozen (LoRA and projectors only)</option>
            </select>
          )}
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={c.evaluate}
            onChange={(e) => update('align', { evaluate: e.target.checked })}
            data-testid="align-evaluate"
          />
          Evaluate each run when its training ends (the paper's tables)
        </label>
      </div>
    </div>
  );
}
