/** The project wizard: a stepper over six steps; each validates before moving on; Run starts the jobs. */
import { useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { DatasetPreview, LlmInfo } from '../contracts.ts';
import { useProjectStore } from '../state/project-store.ts';
import { useUiStore } from '../state/ui-store.ts';
import { AlignStep } from './AlignStep.tsx';
import { type Errors, useWizardStore } from './choices.ts';
import { DatasetStep } from './DatasetStep.tsx';
import { LlmStep } from './LlmStep.tsx';
import { ProjectStep } from './ProjectStep.tsx';
import { buildPlan, startPlan } from './plan.ts';
import { RecommenderStep } from './RecommenderStep.tsx';
import { ReviewStep } from './ReviewStep.tsx';
import { STEPS, stepDone, validateStep } from './steps.ts';

export function Wizard() {
  const api = useApi();
  const summary = useProjectStore((s) => s.summary);
  const { step, choices, setStep } = useWizardStore();
  const [errors, setErrors] = useState<Record<string, Errors>>({});
  const [preview, setPreview] = useState<DatasetPreview | null>(null);
  const [llmInfo, setLlmInfo] = useState<LlmInfo | null>(null);
  const [blocked, setBlocked] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const current = STEPS[step];
  const inputs = { summary, preview, llmInfo };

  const go = (to: number) => {
    setBlocked(null);
    setStep(Math.max(0, Math.min(STEPS.length - 1, to)));
  };
  /** Next: only when this step's inputs are valid (a done step is valid as it is). */
  const next = () => {
    const e = validateStep(current.id, choices, inputs);
    setErrors((all) => ({ ...all, [current.id]: e }));
    if (Object.keys(e).length === 0) go(step + 1);
  };

  const run = async () => {
    if (!summary || starting) return;
    // Check every step again: the user may have jumped around with the stepper.
    for (const [i, s] of STEPS.entries()) {
      const e = validateStep(s.id, choices, inputs);
      if (Object.keys(e).length > 0) {
        setErrors((all) => ({ ...all, [s.id]: e }));
        setStep(i);
        return;
      }
    }
    const plan = buildPlan(choices, summary);
    if (plan.length === 0) {
      setBlocked('Nothing to run.');
      return;
    }
    // The engine runs the steps itself, so the Run goes on across a page reload.
    setBlocked(null);
    setStarting(true);
    try {
      await startPlan(api, summary.dir, plan);
      useUiStore.getState().setView('monitor');
    } catch (e) {
      setBlocked(plainError(e));
    } finally {
      setStarting(false);
    }
  };

  const stepErrors = errors[current.id] ?? {};
  return (
    <section className="wizard" aria-labelledby="wizard-title">
      <h2 id="wizard-title">Project wizard</h2>
      <ol className="stepper" data-testid="wizard-stepper">
        {STEPS.map((s, i) => {
          const done = stepDone(s.id, summary, choices);
          return (
            <li key={s.id}>
              <button
                type="button"
                aria-current={i === step ? 'step' : undefined}
                disabled={i > 0 && !summary}
                onClick={() => go(i)}
                data-testid={`wizard-nav-${s.id}`}
                data-done={done || undefined}
              >
                <span className="step-num" aria-hidden="true">
                  {done ? '✓' : i + 1}
                </span>
                {s.title}
                {done && <span className="visually-hidden"> (done)</span>}
              </button>
            </li>
          );
        })}
      </ol>
      <div className="wizard-body" data-testid={`wizard-step-${current.id}`}>
        <h3>
          {step + 1}. {current.title}
        </h3>
        {current.id === 'project' && <ProjectStep onDone={() => go(1)} />}
        {current.id === 'dataset' && <DatasetStep errors={stepErrors} preview={preview} setPreview={setPreview} />}
        {current.id === 'recommender' && <RecommenderStep errors={stepErrors} />}
        {current.id === 'llm' && <LlmStep errors={stepErrors} info={llmInfo} setInfo={setLlmInfo} />}
        {current.id === 'align' && <AlignStep errors={stepErrors} />}
        {current.id === 'review' && <ReviewStep onRun={() => void run()} blocked={blocked} starting={starting} />}
      </div>
      <div className="wizard-actions">
        <button type="button" onClick={() => go(step - 1)} disabled={step === 0} data-testid="wizard-back">
          Back
        </button>
        {current.id !== 'review' && current.id !== 'project' && (
          <button type="button" className="primary" onClick={next} data-testid="wizard-next">
            {stepDone(current.id, summary, choices) ? 'Skip (done)' : 'Next'}
          </button>
        )}
        {current.id === 'project' && summary && (
          <button type="button" onClick={() => go(1)} data-testid="wizard-next">
            Continue with {summary.name}
          </button>
        )}
      </div>
    </section>
  );
}
