/**
 * The renderer's Content-Security-Policy: only the app's own origin may supply scripts, styles,
 * fonts and connections; no eval, no inline script, no remote content, no plugins, no framing.
 * Sent as a response header on every app response (a <meta> tag could be dropped by a bad build).
 */
import { APP_ORIGIN } from './app-protocol.ts';

const SELF = `'self' ${APP_ORIGIN}`;

export const CSP_DIRECTIVES: Readonly<Record<string, string>> = {
  'default-src': "'none'",
  'script-src': SELF,
  // Charts and React set styles through the CSSOM, which CSP does not restrict; no inline <style>.
  'style-src': SELF,
  // Charts export PNGs as data:/blob: URLs.
  'img-src': `${SELF} data: blob:`,
  'font-src': SELF,
  'connect-src': SELF,
  'worker-src': SELF,
  'manifest-src': SELF,
  'object-src': "'none'",
  'frame-src': "'none'",
  'child-src': "'none'",
  'media-src': "'none'",
  'base-uri': "'none'",
  'form-action': "'none'",
  'frame-ancestors': "'none'",
};

export function buildContentSecurityPolicy(directives: Readonly<Record<string, string>> = CSP_DIRECTIVES): string {
  return Object.entries(directives)
    .map(([name, value]) => `${name} ${value}`)
    .join('; ');
}

/** Headers added to every response the renderer receives. */
export function securityHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': buildContentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}
