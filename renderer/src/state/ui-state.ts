/**
 * The serialisable UI state (view, project, selected runs, explorer selection, chart options,
 * theme) and how it is saved: localStorage across reloads, and a URL hash that reopens a view.
 * A damaged or older saved state falls back field by field to defaults instead of failing.
 */
import { z } from 'zod';
import { emptySelection, type Selection } from './selection.ts';

export const VIEWS = ['wizard', 'monitor', 'explorer'] as const;
export type View = (typeof VIEWS)[number];
export type ThemeChoice = 'system' | 'light' | 'dark';
export type XAxisKind = 'step' | 'time';

export interface ChartOptions {
  /** EMA weight in [0, 0.99]: 0 shows raw points. */
  smoothing: number;
  xAxis: XAxisKind;
}

export interface UiState {
  view: View;
  theme: ThemeChoice;
  projectDir: string | null;
  selectedRuns: string[];
  explorer: Selection & { query: string; page: number };
  chart: ChartOptions;
}

export const defaultUiState = (): UiState => ({
  view: 'wizard',
  theme: 'system',
  projectDir: null,
  selectedRuns: [],
  explorer: { ...emptySelection(), query: '', page: 0 },
  chart: { smoothing: 0.6, xAxis: 'step' },
});

const caseSchema = z.object({ user: z.number().int().nonnegative(), item: z.number().int().positive().nullable() });
const d = defaultUiState();
const uiStateSchema = z.object({
  view: z.enum(VIEWS).catch(d.view),
  theme: z.enum(['system', 'light', 'dark']).catch(d.theme),
  projectDir: z.string().min(1).nullable().catch(null),
  selectedRuns: z.array(z.string()).catch([]),
  explorer: z
    .object({
      workingSet: z.array(z.number().int().nonnegative()).catch([]),
      primary: caseSchema.nullable().catch(null),
      pinned: z.array(caseSchema).catch([]),
      query: z.string().max(200).catch(''),
      page: z.number().int().nonnegative().catch(0),
    })
    .catch(d.explorer),
  chart: z
    .object({
      smoothing: z.number().min(0).max(0.99).catch(d.chart.smoothing),
      xAxis: z.enum(['step', 'time']).catch(d.chart.xAxis),
    })
    .catch(d.chart),
});

export function serializeUiState(s: UiState): string {
  const { view, theme, projectDir, selectedRuns, explorer, chart } = s;
  return JSON.stringify({ view, theme, projectDir, selectedRuns, explorer, chart });
}

/** A UiState from saved JSON; defaults for anything missing or malformed. */
export function restoreUiState(json: string | null | undefined): UiState {
  if (!json) return defaultUiState();
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    return defaultUiState();
  }
  const parsed = uiStateSchema.safeParse(raw);
  return parsed.success ? parsed.data : defaultUiState();
}

const HASH_KEY = 'state=';

/** `#state=…`: the state as a link that reopens this view. */
export const uiStateToHash = (s: UiState) => `#${HASH_KEY}${encodeURIComponent(serializeUiState(s))}`;

export function uiStateFromHash(hash: string): UiState | null {
  const body = hash.replace(/^#/, '');
  if (!body.startsWith(HASH_KEY)) return null;
  try {
    return restoreUiState(decodeURIComponent(body.slice(HASH_KEY.length)));
  } catch {
    return null;
  }
}

export const STORAGE_KEY = 'recx.ui.v1';

/** What the app starts with: a state link wins over the saved state. */
export function initialUiState(hash: string, storage: Pick<Storage, 'getItem'> | null): UiState {
  const fromHash = uiStateFromHash(hash);
  if (fromHash) return fromHash;
  try {
    return restoreUiState(storage?.getItem(STORAGE_KEY));
  } catch {
    return defaultUiState(); // storage can throw (disabled, quota, sandboxed frame)
  }
}
