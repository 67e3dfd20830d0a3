/**
 * Answers one `app://recx/...` request from the built renderer folder: only regular files inside
 * it (symlinks resolved, so a link cannot point outside), GET/HEAD only, with the security headers.
 * Uses the Fetch API's Response (global in Node and Electron), so it is tested without Electron.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { isInside } from '../engine/host/access-policy.ts';
import { contentTypeFor, resolveAppFile } from './app-protocol.ts';
import { securityHeaders } from './csp.ts';

function notFound(status = 404): Response {
  return new Response(status === 405 ? 'Method not allowed' : 'Not found', {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', ...securityHeaders() },
  });
}

export async function appFileResponse(rendererDir: string, url: string, method = 'GET'): Promise<Response> {
  if (method !== 'GET' && method !== 'HEAD') return notFound(405);
  const file = resolveAppFile(rendererDir, url);
  if (!file) return notFound();
  try {
    const [real, realRoot] = await Promise.all([realpath(file), realpath(rendererDir)]);
    if (!isInside(real, realRoot) || !(await stat(real)).isFile()) return notFound();
    const body = method === 'HEAD' ? null : await readFile(real);
    return new Response(body, {
      status: 200,
      headers: { 'Content-Type': contentTypeFor(real), 'Cache-Control': 'no-cache', ...securityHeaders() },
    });
  } catch {
    return notFound();
  }
}
