/** Project name, jobs indicator, theme toggle and the "copy link to this view" action. */
import { useState } from 'react';
import { useProjectStore } from '../state/project-store.ts';
import { uiStateToHash } from '../state/ui-state.ts';
import { useUiStore } from '../state/ui-store.ts';
import { JobsIndicator } from './JobsIndicator.tsx';

const NEXT_THEME = { system: 'light', light: 'dark', dark: 'system' } as const;

export function Header() {
  const summary = useProjectStore((s) => s.summary);
  const theme = useUiStore((s) => s.theme);
  const setTheme = useUiStore((s) => s.setTheme);
  const [copied, setCopied] = useState(false);

  const copyLink = async () => {
    const hash = uiStateToHash(useUiStore.getState());
    history.replaceState(null, '', hash);
    try {
      await navigator.clipboard?.writeText(location.href);
    } catch {
      // Clipboard may be denied; the link is in the address bar anyway.
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };

  return (
    <header className="app-header">
      <h1 className="app-title">
        RecExplainer <span className="muted">·</span>{' '}
        <span data-testid="project-name" title={summary?.dir}>
          {summary?.name ?? 'no project'}
        </span>
      </h1>
      <JobsIndicator />
      <button type="button" onClick={copyLink} data-testid="copy-link" title="Put this view in the address bar">
        {copied ? 'Link copied' : 'Copy link'}
      </button>
      <button
        type="button"
        onClick={() => setTheme(NEXT_THEME[theme])}
        aria-label={`Theme: ${theme}. Switch to ${NEXT_THEME[theme]}`}
        data-testid="theme-toggle"
      >
        Theme: {theme}
      </button>
    </header>
  );
}
