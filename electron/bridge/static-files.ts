/**
 * Serves the renderer build (dist/renderer) read-only: GET/HEAD of files below the folder, with a
 * content type by extension and the security headers; `/` is index.html. Anything that would
 * leave the folder (`..`, encoded or not, symlinks pointing out) is a 404 like a missing file.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { contentTypeFor } from '../contracts/content-types.ts';
import { isInside } from '../engine/host/access-policy.ts';

export const contentTypeOf = contentTypeFor;

/** The file a URL path names inside `root`, or null when it is not a plain path below it. */
export function staticFilePath(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  // Backslashes are separators on Windows; NUL ends C strings in the file system.
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((part) => part === '..')) return null;
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  const file = path.resolve(root, rel);
  return isInside(file, root) && file !== path.resolve(root) ? file : null;
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(text);
}

export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  root: string,
  headers: Record<string, string>,
): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendText(res, 405, 'method not allowed', headers);
    return;
  }
  // Only the path counts: the query carries the token and must not select anything.
  const rawPath = (req.url ?? '/').split('?')[0]!.split('#')[0]!;
  const file = staticFilePath(root, rawPath);
  const real = file ? await resolveInside(file, root) : null;
  if (!real) {
    sendText(res, 404, 'not found', headers);
    return;
  }
  res.writeHead(200, {
    ...headers,
    'Content-Type': contentTypeOf(real.file),
    'Content-Length': String(real.size),
    // index.html names the hashed assets of the current build: never cache it.
    'Cache-Control': path.basename(real.file) === 'index.html' ? 'no-store' : 'no-cache',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(real.file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/** The file after following symlinks, when it is a regular file still inside the (real) root. */
async function resolveInside(file: string, root: string): Promise<{ file: string; size: number } | null> {
  try {
    const [realFile, realRoot] = await Promise.all([realpath(file), realpath(root)]);
    if (!isInside(realFile, realRoot)) return null;
    const s = await stat(realFile);
    return s.isFile() ? { file: realFile, size: s.size } : null;
  } catch {
    return null;
  }
}
