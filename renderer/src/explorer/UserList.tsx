/** Searchable, paginated user list. Click: primary user; checkbox: working set membership. */
import { useEffect, useState } from 'react';
import { plainError, useApi } from '../api/index.ts';
import type { UserRow } from '../contracts.ts';
import { useUiStore } from '../state/ui-store.ts';

export const PAGE_SIZE = 25;
export const SEARCH_DEBOUNCE_MS = 300;

export function UserList({ project }: { project: string }) {
  const api = useApi();
  const { query, page, workingSet, primary } = useUiStore((s) => s.explorer);
  const { setQuery, setPage, selectUser, toggleWorkingSet } = useUiStore.getState();
  const [text, setText] = useState(query);
  const [data, setData] = useState<{ total: number; users: UserRow[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Debounced: typing "abc" asks the engine once, not three times.
  useEffect(() => {
    if (text === query) return;
    const t = setTimeout(() => setQuery(text), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(t);
  }, [text, query, setQuery]);

  useEffect(() => {
    let live = true;
    api
      .invoke('explorer.users', {
        project,
        ...(query ? { query } : {}),
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
      })
      .then((r) => {
        if (!live) return;
        setData(r);
        setError(null);
      })
      .catch((e) => live && setError(plainError(e)));
    return () => {
      live = false;
    };
  }, [api, project, query, page]);

  const total = data?.total ?? 0;
  const from = total === 0 ? 0 : page * PAGE_SIZE + 1;
  const to = Math.min(total, (page + 1) * PAGE_SIZE);
  return (
    <section className="user-list panel" aria-labelledby="users-title">
      <h3 id="users-title">Users</h3>
      <label className="visually-hidden" htmlFor="explorer-search">
        Search users by item title
      </label>
      <input
        id="explorer-search"
        type="search"
        value={text}
        placeholder="Search titles…"
        onChange={(e) => setText(e.target.value)}
        data-testid="explorer-search"
      />
      <p className="muted" aria-live="polite" data-testid="explorer-user-count">
        {error ?? (data ? `${from}–${to} of ${total}` : 'Loading…')}
      </p>
      <ul className="user-rows" data-testid="explorer-user-list">
        {data?.users.map((u) => (
          <li key={u.user} className={primary?.user === u.user ? 'selected' : undefined}>
            <input
              type="checkbox"
              checked={workingSet.includes(u.user)}
              onChange={() => toggleWorkingSet(u.user)}
              aria-label={`User ${u.user} in working set`}
            />
            <button
              type="button"
              aria-pressed={primary?.user === u.user}
              onClick={(e) => selectUser(u.user, e.ctrlKey || e.metaKey || e.shiftKey)}
              data-testid={`explorer-user-row-${u.user}`}
            >
              <strong>User {u.user}</strong> <span className="muted">{u.historyLength} items</span>
              <span className="recent">{u.recent.join(' · ')}</span>
            </button>
          </li>
        ))}
      </ul>
      <div className="pager">
        <button type="button" disabled={page === 0} onClick={() => setPage(page - 1)} data-testid="explorer-prev">
          Previous
        </button>
        <button type="button" disabled={to >= total} onClick={() => setPage(page + 1)} data-testid="explorer-next">
          Next
        </button>
      </div>
    </section>
  );
}
