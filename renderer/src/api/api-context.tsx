/** The RecxApi reaches components through context so tests can hand in a fake one. */
import { createContext, type ReactNode, useContext } from 'react';
import type { RecxApi } from '../contracts.ts';

const ApiContext = createContext<RecxApi | null>(null);

export function ApiProvider({ api, children }: { api: RecxApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): RecxApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi outside <ApiProvider>');
  return api;
}
