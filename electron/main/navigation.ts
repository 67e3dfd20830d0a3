/**
 * Where the window may go: only the app's own pages. Links to a few documentation hosts open in the
 * system browser; everything else (other sites, file://, javascript:, custom schemes) is refused.
 */
import { isAppUrl, parseUrl } from './app-protocol.ts';

/** Hosts whose pages open in the system browser (the host itself and its subdomains). */
export const EXTERNAL_HOSTS: readonly string[] = ['github.com', 'huggingface.co'];

/** True only for the app's own pages: every other target of will-navigate is cancelled. */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

/** True for https links to an allow-listed host, without credentials or an unusual port. */
export function isAllowedExternalUrl(url: string, hosts: readonly string[] = EXTERNAL_HOSTS): boolean {
  const u = parseUrl(url);
  if (u?.protocol !== 'https:' || u.username || u.password || u.port) return false;
  const host = u.hostname.toLowerCase();
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternal: string | null };

/** What to do with a navigation or window.open target. */
export function decideNavigation(url: string): NavigationDecision {
  if (isAllowedNavigation(url)) return { action: 'allow' };
  return { action: 'deny', openExternal: isAllowedExternalUrl(url) ? new URL(url).href : null };
}
