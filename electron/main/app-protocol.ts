/**
 * The app's own URL space: the built renderer (dist/renderer) is served as `app://recx/...` through
 * a privileged custom protocol instead of file://, so the page has a real origin that the CSP, the
 * navigation guard and the IPC sender check can name, and so no other file on disk is reachable.
 */
import path from 'node:path';
import { contentTypeFor } from '../contracts/content-types.ts';
import { isInside } from '../engine/host/access-policy.ts';

export const APP_SCHEME = 'app';
export const APP_HOST = 'recx';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** True for any URL of the app itself (any path, query or hash). */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && u.username === '' && u.port === '';
}

export function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * The file under `rendererDir` that an app URL names, or null when the URL is not the app's or
 * would leave that folder (`..`, encoded separators, NUL bytes). `/` is the index page.
 */
export function resolveAppFile(rendererDir: string, url: string): string | null {
  if (!isAppUrl(url)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(url).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  // Backslashes are separators on Windows; refuse them everywhere so the check behaves the same.
  if (pathname.includes('\\')) return null;
  const relative = pathname === '/' || pathname === '' ? 'index.html' : pathname.replace(/^\/+/, '');
  const root = path.resolve(rendererDir);
  const file = path.resolve(root, relative);
  if (file === root || !isInside(file, root)) return null;
  return file;
}

export { contentTypeFor };
