/** Step 6: every choice in one place, the steps the Run will start, and their progress. */
import { useProjectStore } from '../state/project-store.ts';
import { tasksForMethod, useWizardStore } from './choices.ts';
import { buildPlan, isPipelineRunning, usePlanStore } from './plan.ts';

export function ReviewStep({
  onRun,
  blocked,
  starting = false,
}: {
  onRun: () => void;
  blocked: string | null;
  /** The Run was clicked and the engine has not answered yet. */
  starting?: boolean;
}) {
  const summary = useProjectStore((s) => s.summary);
  const c = useWizardStore((s) => s.choices);
  const pipeline = usePlanStore((s) => s.pipeline);
  const running = isPipelineRunning(pipeline);
  const steps = summary ? buildPlan(c, summary) : [];
  // While a run goes, show its live states; otherwise what a new Run would start.
  const shown =
    running && pipeline ? pipeline.steps : steps.map((s) => ({ label: s.label, state: 'pending', error: null }));
  const failed = running ? undefined : pipeline?.steps.find((s) => s.state === 'failed');
  return (
    <div>
      <dl className="facts" data-testid="review-summary">
        <dt>Project</dt>
        <dd>{summary ? `${summary.name} (${summary.dir})` : 'none'}</dd>
        <dt>Dataset</dt>
        <dd>
          {summary?.dataset && !c.redo.dataset
            ? `${summary.dataset.format}, ${summary.dataset.users} users (done)`
            : c.dataset.source === 'demo'
              ? `demo: ${c.dataset.users} users, ${c.dataset.items} items`
              : `${c.dataset.format ?? '?'} from ${c.dataset.input}`}
        </dd>
        <dt>Recommender</dt>
        <dd>{`${c.recommender.preset}, ≤ ${c.recommender.epochs} epochs`}</dd>
        <dt>Language model</dt>
        <dd>{c.llm.source === 'tiny' ? `built-in tiny LM, ${c.llm.steps} steps` : c.llm.hfDir}</dd>
        <dt>Alignment</dt>
        <dd>
          {c.align.methods.map((m) => `${m} (tasks ${tasksForMethod(c.align.tasks, m).join(',')})`).join(' · ')},{' '}
          {c.align.steps === null ? 'default steps' : `${c.align.steps} steps`}
          {c.align.evaluate ? ', then evaluated' : ''}
        </dd>
      </dl>
      <h3>Will run, in order</h3>
      <ol className="plan" data-testid="review-plan" aria-live="polite">
        {shown.map((s, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: plan steps are positional and never reordered
          <li key={i} data-state={s.state}>
            <span className={`badge badge-${s.state}`}>{s.state}</span> {s.label}
          </li>
        ))}
        {shown.length === 0 && <li>Nothing left to do: every stage exists. Tick a "redo" box or add methods.</li>}
      </ol>
      {failed && (
        <p className="field-error" data-testid="review-last-failure">
          The last run stopped at “{failed.label}”: {failed.error}
        </p>
      )}
      <p className="form-error" role={blocked ? 'alert' : undefined} data-testid="review-error">
        {blocked ?? ''}
      </p>
      <button
        type="button"
        className="primary"
        onClick={onRun}
        disabled={running || starting || !summary || steps.length === 0}
        data-testid="wizard-run"
      >
        {running || starting ? 'Running…' : 'Run'}
      </button>
    </div>
  );
}
