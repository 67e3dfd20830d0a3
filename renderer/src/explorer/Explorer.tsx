/** The explanation explorer: users → one primary case → its attribution and explanations; pins compare. */
import { useProjectStore } from '../state/project-store.ts';
import { isPinned } from '../state/selection.ts';
import { useUiStore } from '../state/ui-store.ts';
import { AttributionBars } from './AttributionBars.tsx';
import { CompareStrip } from './CompareStrip.tsx';
import { Explanations } from './Explanations.tsx';
import { useExplainStore } from './explain-store.ts';
import { UserDetail } from './UserDetail.tsx';
import { UserList } from './UserList.tsx';

export function Explorer() {
  const project = useUiStore((s) => s.projectDir);
  const explorer = useUiStore((s) => s.explorer);
  const { pin, unpin, stepPrimary } = useUiStore.getState();
  const summary = useProjectStore((s) => s.summary);
  const runs = useProjectStore((s) => s.runs);
  const titles = useExplainStore((s) => s.titles);

  if (!project || !summary) return <p className="hint">Open or create a project in the wizard first.</p>;
  if (!summary.dataset || !summary.recommender) {
    return (
      <p className="hint" data-testid="explorer-not-ready">
        The explorer needs a dataset and a trained recommender: finish those wizard steps first.
      </p>
    );
  }
  const primary = explorer.primary;
  const pinned = primary && primary.item !== null && isPinned(explorer, primary);
  return (
    <section className="explorer" aria-labelledby="explorer-title">
      <h2 id="explorer-title" className="visually-hidden">
        Explanation explorer
      </h2>
      <UserList project={project} />
      <div className="explorer-main">
        <section className="working-set" aria-label="Working set" data-testid="explorer-working-set">
          <span className="muted">Working set ({explorer.workingSet.length}):</span>{' '}
          {explorer.workingSet.map((u) => (
            <span key={u} className={primary?.user === u ? 'chip chip-primary' : 'chip'}>
              {u}
            </span>
          ))}
          <button type="button" onClick={() => stepPrimary(-1)} disabled={explorer.workingSet.length < 2}>
            ← Previous
          </button>
          <button type="button" onClick={() => stepPrimary(1)} disabled={explorer.workingSet.length < 2}>
            Next →
          </button>
        </section>
        {primary ? (
          <>
            <UserDetail project={project} user={primary.user} item={primary.item} />
            {primary.item !== null ? (
              <div className="case-panels">
                <section className="panel" aria-labelledby="attr-title">
                  <div className="panel-head">
                    <h3 id="attr-title">Why {titles[primary.item] ?? `item ${primary.item}`}?</h3>
                    <button
                      type="button"
                      aria-pressed={!!pinned}
                      data-testid="explorer-pin"
                      onClick={() => (pinned ? unpin(primary) : pin(primary))}
                    >
                      {pinned ? 'Unpin' : 'Pin case'}
                    </button>
                  </div>
                  <AttributionBars project={project} user={primary.user} item={primary.item} />
                </section>
                <Explanations project={project} c={primary} runs={runs} />
              </div>
            ) : (
              <p className="hint">Select an item from the history or the recommendations to see why.</p>
            )}
          </>
        ) : (
          <p className="hint">Select a user from the list.</p>
        )}
        <CompareStrip project={project} pinned={explorer.pinned} runs={runs} />
      </div>
    </section>
  );
}
