/** The zustand store of UI state; every change is saved to localStorage (see ui-state.ts). */
import { create } from 'zustand';
import * as sel from './selection.ts';
import {
  type ChartOptions,
  initialUiState,
  STORAGE_KEY,
  serializeUiState,
  type ThemeChoice,
  type UiState,
  type View,
} from './ui-state.ts';

export interface UiActions {
  setView(view: View): void;
  setTheme(theme: ThemeChoice): void;
  setProjectDir(dir: string | null): void;
  setSelectedRuns(runs: string[]): void;
  toggleRun(run: string): void;
  setChart(patch: Partial<ChartOptions>): void;
  setQuery(query: string): void;
  setPage(page: number): void;
  selectUser(user: number, additive?: boolean): void;
  toggleWorkingSet(user: number): void;
  selectItem(item: number | null): void;
  stepPrimary(delta: number): void;
  pin(c: sel.Case): void;
  unpin(c: sel.Case): void;
  replace(state: UiState): void;
}

export type UiStore = UiState & UiActions;

const safeStorage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

const startState = (): UiState => initialUiState(typeof location === 'undefined' ? '' : location.hash, safeStorage());

export const useUiStore = create<UiStore>()((set) => {
  const explorer = (f: (s: UiState['explorer']) => sel.Selection) =>
    set((s) => ({ explorer: { ...s.explorer, ...f(s.explorer) } }));
  return {
    ...startState(),
    setView: (view) => set({ view }),
    setTheme: (theme) => set({ theme }),
    // A new project invalidates run and case selections, which name things inside the old one.
    setProjectDir: (projectDir) =>
      set((s) =>
        s.projectDir === projectDir
          ? s
          : {
              projectDir,
              selectedRuns: [],
              explorer: { workingSet: [], primary: null, pinned: [], query: '', page: 0 },
            },
      ),
    setSelectedRuns: (selectedRuns) => set({ selectedRuns }),
    toggleRun: (run) =>
      set((s) => ({
        selectedRuns: s.selectedRuns.includes(run) ? s.selectedRuns.filter((r) => r !== run) : [...s.selectedRuns, run],
      })),
    setChart: (patch) => set((s) => ({ chart: { ...s.chart, ...patch } })),
    setQuery: (query) => set((s) => ({ explorer: { ...s.explorer, query, page: 0 } })),
    setPage: (page) => set((s) => ({ explorer: { ...s.explorer, page: Math.max(0, page) } })),
    selectUser: (user, additive) => explorer((e) => sel.selectUser(e, user, additive)),
    toggleWorkingSet: (user) => explorer((e) => sel.toggleWorkingSet(e, user)),
    selectItem: (item) => explorer((e) => sel.selectItem(e, item)),
    stepPrimary: (delta) => explorer((e) => sel.stepPrimary(e, delta)),
    pin: (c) => explorer((e) => sel.pinCase(e, c)),
    unpin: (c) => explorer((e) => sel.unpinCase(e, c)),
    replace: (state) => set(state),
  };
});

useUiStore.subscribe((s) => {
  try {
    safeStorage()?.setItem(STORAGE_KEY, serializeUiState(s));
  } catch {
    // Saving is best effort: a full or disabled storage must not break the UI.
  }
});
