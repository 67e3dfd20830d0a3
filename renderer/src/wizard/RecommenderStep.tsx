/** Step 3: the target recommender to explain: a training preset and the number of epochs. */
import { RECOMMENDER_PRESETS } from '../contracts.ts';
import { RecEvalTable } from '../monitor/RecEvalTable.tsx';
import { useProjectStore } from '../state/project-store.ts';
import { type Preset, useWizardStore } from './choices.ts';
import type { StepErrorsProps } from './DatasetStep.tsx';
import { DoneNote } from './DoneNote.tsx';
import { Field, toInt } from './Field.tsx';

const PRESET_NOTES: Record<Preset, string> = {
  'sasrec-original': 'SASRec as Kang & McAuley trained it (d 64, sampled negatives): the default',
  'sasrec-paper': "SASRec as the RecExplainer paper's target (d 256, full softmax): slower",
  'mf-bpr': 'Matrix factorisation with BPR: fast, no sequence order',
};

export function RecommenderStep({ errors }: StepErrorsProps) {
  const summary = useProjectStore((s) => s.summary);
  const c = useWizardStore((s) => s.choices.recommender);
  const redo = useWizardStore((s) => s.choices.redo.recommender);
  const update = useWizardStore((s) => s.update);
  const done = summary?.recommender;
  return (
    <div>
      {done && (
        <DoneNote
          id="recommender"
          redo={redo}
          onRedo={(v) => update('redo', { recommender: v })}
          redoLabel="Train again"
        >
          {done.kind}
          {done.dim ? `, d ${done.dim}` : ''}
          {done.evaluated ? ', evaluated' : ''}
        </DoneNote>
      )}
      <div className="field-grid">
        <Field id="recommender-preset" label="Preset" hint={PRESET_NOTES[c.preset]}>
          {(a) => (
            <select
              {...a}
              value={c.preset}
              onChange={(e) => update('recommender', { preset: e.target.value as Preset })}
              data-testid="recommender-preset"
            >
              {RECOMMENDER_PRESETS.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field id="recommender-epochs" label="Epochs (at most; stops early)" error={errors.epochs}>
          {(a) => (
            <input
              {...a}
              type="number"
              min={1}
              max={1000}
              value={Number.isNaN(c.epochs) ? '' : c.epochs}
              onChange={(e) => update('recommender', { epochs: toInt(e.target.value) })}
              data-testid="recommender-epochs"
            />
          )}
        </Field>
      </div>
      {done?.evaluated && summary && <RecEvalTable project={summary.dir} version={summary} />}
    </div>
  );
}
