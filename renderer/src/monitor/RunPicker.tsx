/** Which alignment runs to overlay: the project's runs (checkboxes) and the ones training now. */
import type { RunSummary } from '../contracts.ts';
import { runLabel } from '../state/project-store.ts';

export function RunPicker({
  runs,
  selected,
  live,
  onToggle,
}: {
  runs: RunSummary[];
  selected: string[];
  live: string[];
  onToggle: (id: string) => void;
}) {
  const liveOnly = live.filter((id) => !runs.some((r) => r.id === id));
  if (runs.length === 0 && liveOnly.length === 0) {
    return (
      <p className="hint" data-testid="monitor-no-runs">
        No alignment runs yet: start one from the wizard.
      </p>
    );
  }
  return (
    <fieldset className="run-picker" data-testid="run-picker">
      <legend>Runs to show</legend>
      {liveOnly.map((id) => (
        <label key={id} className="check">
          <input type="checkbox" checked disabled />
          {id} <span className="badge badge-running">training</span>
        </label>
      ))}
      {runs.map((r) => (
        <label key={r.id} className="check">
          <input
            type="checkbox"
            checked={selected.includes(r.id) || live.includes(r.id)}
            disabled={live.includes(r.id)}
            onChange={() => onToggle(r.id)}
            data-testid={`run-toggle-${r.id}`}
          />
          {runLabel(r)}{' '}
          <span className="muted">
            {r.steps} steps{r.finalLoss !== null ? `, loss ${r.finalLoss.toFixed(3)}` : ''}
            {r.completed ? '' : ', unfinished'}
            {r.evaluated ? ', evaluated' : ''}
          </span>
          {live.includes(r.id) && <span className="badge badge-running">training</span>}
        </label>
      ))}
    </fieldset>
  );
}
