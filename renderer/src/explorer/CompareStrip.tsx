/** Pinned cases side by side: item, top attributions and each run's explanation. */
import type { RunSummary } from '../contracts.ts';
import type { Case } from '../state/selection.ts';
import { useUiStore } from '../state/ui-store.ts';
import { AttributionBars } from './AttributionBars.tsx';
import { ExplanationTexts, explainableRuns } from './Explanations.tsx';
import { caseKey, useExplainStore } from './explain-store.ts';

export function CompareStrip({ project, pinned, runs }: { project: string; pinned: Case[]; runs: RunSummary[] }) {
  const titles = useExplainStore((s) => s.titles);
  const jobs = useExplainStore((s) => s.jobByCase);
  const { unpin, selectUser, selectItem } = useUiStore.getState();
  if (pinned.length === 0) return null;
  const usable = explainableRuns(runs);
  return (
    <section className="compare-strip" aria-label="Pinned cases" data-testid="explorer-compare">
      {pinned.map((c) => (
        <article key={caseKey(c)} className="pinned-card" data-testid={`pinned-${caseKey(c)}`}>
          <header>
            <strong>User {c.user}</strong>
            {c.item !== null && <span> · {titles[c.item] ?? `item ${c.item}`}</span>}
          </header>
          {c.item !== null && <AttributionBars project={project} user={c.user} item={c.item} limit={3} />}
          {c.item !== null && usable.length > 0 && <ExplanationTexts job={jobs[caseKey(c)]} runs={usable} compact />}
          <footer>
            <button
              type="button"
              onClick={() => {
                selectUser(c.user, true);
                selectItem(c.item);
              }}
            >
              Show
            </button>
            <button type="button" onClick={() => unpin(c)} data-testid={`unpin-${caseKey(c)}`}>
              Unpin
            </button>
          </footer>
        </article>
      ))}
    </section>
  );
}
