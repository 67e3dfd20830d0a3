/**
 * Electron-side wiring of the security rules (the rules themselves are plain functions beside this
 * file): the privileged app scheme, session-wide headers, permission and request blocking, and the
 * navigation / window-open / webview guards for every web contents the app ever creates.
 */
import { app, type Session, shell, type WebContents } from 'electron';
import { APP_SCHEME, isAppUrl } from './app-protocol.ts';
import { buildContentSecurityPolicy } from './csp.ts';
import { decideNavigation, isAllowedExternalUrl } from './navigation.ts';

/** Must run before `app` is ready (Electron fixes scheme privileges at startup). */
export const APP_SCHEME_PRIVILEGES = {
  scheme: APP_SCHEME,
  // standard + secure: a real origin for CSP 'self' and a secure context; fetch for module
  // scripts (Vite emits `crossorigin` module scripts, which are CORS-mode same-origin requests).
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
} as const;

/** URLs the renderer may load at all: the app, plus what Chromium makes internally. */
function isAllowedRequest(url: string): boolean {
  return isAppUrl(url) || url.startsWith('devtools://') || url.startsWith('data:') || url.startsWith('blob:');
}

export function hardenSession(session: Session): void {
  // No camera, notifications, clipboard-read, etc.: the app needs none of them.
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // No remote content: anything that is not the app itself is cancelled before it leaves.
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedRequest(details.url) }));
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    // The policy is built in csp.ts and graded with Google's CSP evaluator in tests/unit/main/csp.test.ts;
    // Electronegativity cannot read a policy that is not a literal here.
    if (isAppUrl(details.url)) headers['Content-Security-Policy'] = [buildContentSecurityPolicy()]; // eng-disable CSP_GLOBAL_CHECK
    callback({ responseHeaders: headers });
  });
  session.on('will-download', (event) => event.preventDefault());
}

/** Opens an allow-listed https link in the system browser; anything else is dropped. */
export function openExternalIfAllowed(url: string): void {
  if (!isAllowedExternalUrl(url)) return;
  // The URL has passed the https host allow-list above, so it cannot launch a local program.
  void shell.openExternal(new URL(url).href); /* eng-disable OPEN_EXTERNAL_JS_CHECK */
}

function guardContents(contents: WebContents): void {
  const onNavigate = (event: { preventDefault(): void }, url: string) => {
    const decision = decideNavigation(url);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (decision.openExternal) openExternalIfAllowed(decision.openExternal);
  };
  contents.on('will-navigate', onNavigate);
  contents.on('will-redirect', onNavigate);
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideNavigation(url);
    if (decision.action === 'deny' && decision.openExternal) openExternalIfAllowed(decision.openExternal);
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/** Applies the guards to every web contents, including any a bug might create later. */
export function guardAllWebContents(): void {
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
}
