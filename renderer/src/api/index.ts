/**
 * Picks the transport: Electron's preload exposes `window.recx`; in a plain browser the page was
 * served by the bridge, whose WebSocket URL (with its token) comes from the page's location.
 */
import type { RecxApi } from '../contracts.ts';
import { bridgeUrlFromLocation, connectBridge } from './bridge-client.ts';

export { ApiProvider, useApi } from './api-context.tsx';
export { fieldErrors, plainError } from './errors.ts';

export function resolveApi(win: Window & { recx?: RecxApi } = window): RecxApi {
  if (win.recx) return win.recx;
  const url = bridgeUrlFromLocation(win.location);
  if (!url) throw new Error('No engine to talk to: open this page from the Electron app or from `npm run web`.');
  return connectBridge(url);
}
