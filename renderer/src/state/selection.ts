/**
 * The explorer's LIT-style selection (STYLE.md): a working set of users, one primary case (a user
 * and optionally one of their items) that every panel shows, and pinned cases compared side by side.
 * Pure functions so the rules are tested without React.
 */

export interface Case {
  user: number;
  item: number | null;
}

export interface Selection {
  workingSet: number[];
  primary: Case | null;
  pinned: Case[];
}

export const MAX_PINNED = 4;

export const emptySelection = (): Selection => ({ workingSet: [], primary: null, pinned: [] });

export const sameCase = (a: Case, b: Case) => a.user === b.user && a.item === b.item;

/** Makes `user` primary; it joins the working set (a plain click resets the set to it, as in LIT). */
export function selectUser(sel: Selection, user: number, additive = false): Selection {
  const primary = sel.primary?.user === user ? sel.primary : { user, item: null };
  const workingSet = additive ? (sel.workingSet.includes(user) ? sel.workingSet : [...sel.workingSet, user]) : [user];
  return { ...sel, primary, workingSet };
}

/** Adds or removes a user from the working set; removing the primary moves primary to a neighbour. */
export function toggleWorkingSet(sel: Selection, user: number): Selection {
  if (!sel.workingSet.includes(user)) return { ...sel, workingSet: [...sel.workingSet, user] };
  const workingSet = sel.workingSet.filter((u) => u !== user);
  if (sel.primary?.user !== user) return { ...sel, workingSet };
  const next = workingSet[0];
  return { ...sel, workingSet, primary: next === undefined ? null : { user: next, item: null } };
}

/** Focuses one item of the primary user (null clears it). */
export function selectItem(sel: Selection, item: number | null): Selection {
  if (!sel.primary) return sel;
  return { ...sel, primary: { user: sel.primary.user, item } };
}

/** Moves primary to the previous/next user of the working set (wraps around). */
export function stepPrimary(sel: Selection, delta: number): Selection {
  const n = sel.workingSet.length;
  if (n === 0) return sel;
  const at = sel.primary ? sel.workingSet.indexOf(sel.primary.user) : -1;
  const next = sel.workingSet[(((at < 0 ? 0 : at + delta) % n) + n) % n];
  return { ...sel, primary: { user: next, item: null } };
}

/** Pins a case (no duplicates); beyond MAX_PINNED the oldest pin goes, so the strip keeps its width. */
export function pinCase(sel: Selection, c: Case): Selection {
  if (sel.pinned.some((p) => sameCase(p, c))) return sel;
  return { ...sel, pinned: [...sel.pinned, c].slice(-MAX_PINNED) };
}

export function unpinCase(sel: Selection, c: Case): Selection {
  return { ...sel, pinned: sel.pinned.filter((p) => !sameCase(p, c)) };
}

export const isPinned = (sel: Selection, c: Case) => sel.pinned.some((p) => sameCase(p, c));
