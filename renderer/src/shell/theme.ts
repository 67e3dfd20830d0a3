/** Light/dark: the user's choice, or the system's (prefers-color-scheme) when set to "system". */
import { useEffect, useSyncExternalStore } from 'react';
import { useUiStore } from '../state/ui-store.ts';

export type ResolvedTheme = 'light' | 'dark';

const query = () => (typeof matchMedia === 'function' ? matchMedia('(prefers-color-scheme: dark)') : null);

function subscribeSystem(cb: () => void): () => void {
  const mq = query();
  mq?.addEventListener?.('change', cb);
  return () => mq?.removeEventListener?.('change', cb);
}

const systemDark = () => query()?.matches ?? false;

export function useResolvedTheme(): ResolvedTheme {
  const choice = useUiStore((s) => s.theme);
  const dark = useSyncExternalStore(subscribeSystem, systemDark, () => false);
  return choice === 'system' ? (dark ? 'dark' : 'light') : choice;
}

/** Puts the theme on <html> so the CSS variables of styles.css follow it. */
export function useApplyTheme(): ResolvedTheme {
  const theme = useResolvedTheme();
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    document.documentElement.style.colorScheme = theme;
  }, [theme]);
  return theme;
}

/** Chart colours per theme: series colours distinguishable on both backgrounds. */
export const CHART_COLORS: Record<ResolvedTheme, { text: string; grid: string; series: string[] }> = {
  light: {
    text: '#3a3f47',
    grid: '#e2e5ea',
    series: ['#2f6fdb', '#d9480f', '#2b8a3e', '#9c36b5', '#c2255c', '#0b7285', '#e67700', '#5c7cfa'],
  },
  dark: {
    text: '#c9ced6',
    grid: '#343a44',
    series: ['#74a7ff', '#ff8a4c', '#69db7c', '#da77f2', '#f783ac', '#3bc9db', '#ffc078', '#91a7ff'],
  },
};
