/**
 * What keeps other pages and other users of the machine away from the bridge: a per-start secret
 * token that every WebSocket must present, an Origin check against the server's own origins (a
 * page on another site cannot open the socket even if it guessed the port), and strict headers on
 * the static files (CSP; no Referer, so the token in the page URL never leaks).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { networkInterfaces } from 'node:os';

/** 32 random bytes as hex, new for every start. */
export const newToken = (): string => randomBytes(32).toString('hex');

/** Constant-time comparison; hashing first makes the time independent of the length too. */
export function tokenMatches(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

export const isWildcardHost = (host: string): boolean => host === '0.0.0.0' || host === '::' || host === '[::]';

/** A host as it appears in a URL (IPv6 in brackets). */
export const urlHost = (host: string): string => (host.includes(':') && !host.startsWith('[') ? `[${host}]` : host);

/**
 * The host names a browser may use to reach the server: the loopback names always; the listen
 * address when it is a specific one; every interface address when listening on all of them.
 */
export function reachableHosts(listenHost: string): string[] {
  const hosts = new Set(['127.0.0.1', 'localhost']);
  if (isWildcardHost(listenHost)) {
    for (const list of Object.values(networkInterfaces())) {
      for (const a of list ?? []) if (!a.internal) hosts.add(urlHost(a.address));
    }
  } else {
    hosts.add(urlHost(listenHost));
  }
  return [...hosts];
}

/** `http://host:port` for every reachable host: the only Origin values a socket may carry. */
export const allowedOrigins = (hosts: readonly string[], port: number): Set<string> =>
  new Set(hosts.map((h) => `http://${h}:${port}`));

/** Absent Origin means a non-browser client (tests, scripts), which the token alone admits. */
export function originAllowed(origin: string | undefined, allowed: ReadonlySet<string>): boolean {
  return origin === undefined || allowed.has(origin.toLowerCase());
}

export function staticHeaders(hosts: readonly string[], port: number): Record<string, string> {
  const sockets = hosts.map((h) => `ws://${h}:${port}`).join(' ');
  return {
    'Content-Security-Policy': [
      "default-src 'self'",
      `connect-src 'self' ${sockets}`,
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "script-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  };
}
