/** Shared setup of the bridge tests: a temp root, a fixture renderer build, sockets that queue messages. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { type BridgeServer, startBridgeServer } from '../../../electron/bridge/server.ts';
import type { ApiError } from '../../../electron/contracts/jobs.ts';

export const FAKE_HOST = fileURLToPath(new URL('./fake-host.ts', import.meta.url));
export const SECRET = 'secret-next-to-the-build';

export interface Fixture {
  dir: string;
  root: string;
  staticDir: string;
  cleanup(): void;
}

/** tmp/{root/, static/index.html, static/assets/app.js, secret.txt}: the secret must never be served. */
export function makeFixture(): Fixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'recx-bridge-'));
  const root = path.join(dir, 'root');
  const staticDir = path.join(dir, 'static');
  mkdirSync(root);
  mkdirSync(path.join(staticDir, 'assets'), { recursive: true });
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(staticDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), SECRET);
  return { dir, root, staticDir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function startTestBridge(
  f: Fixture,
  extra: { port?: number; token?: string } = {},
): Promise<{ bridge: BridgeServer; logs: string[] }> {
  const logs: string[] = [];
  const bridge = await startBridgeServer({
    root: f.root,
    staticDir: f.staticDir,
    hostEntry: FAKE_HOST,
    shutdownGraceMs: 2000,
    log: (l) => logs.push(l),
    ...extra,
  });
  await bridge.whenHostReady();
  return { bridge, logs };
}

/** A GET with the path sent exactly as written (fetch would normalise `..` away). */
export function rawGet(
  port: number,
  rawPath: string,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A message from the bridge as the tests read it: loosely typed, since the tests check the content. */
export interface WireMessage {
  type: string;
  id: number;
  ok: boolean;
  result: Record<string, unknown>;
  error: ApiError;
  event: string;
  data: Record<string, unknown>;
}

/** A connected socket whose messages are queued, so a test can await the next one that matches. */
export class TestSocket {
  private readonly messages: unknown[] = [];
  private waiters: { match: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(String(data));
      const w = this.waiters.find((x) => x.match(m));
      if (w) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(m);
      } else this.messages.push(m);
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  /** Resolves with the socket, or rejects with the HTTP status that refused the upgrade. */
  static open(url: string, headers: Record<string, string> = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      ws.on('open', () => resolve(new TestSocket(ws)));
      ws.on('unexpected-response', (req, res) => {
        req.destroy();
        reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode }));
      });
      ws.on('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  next(match: (m: unknown) => boolean = () => true, timeoutMs = 10_000): Promise<WireMessage> {
    const i = this.messages.findIndex(match);
    if (i >= 0) return Promise.resolve(this.messages.splice(i, 1)[0] as WireMessage);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as WireMessage);
        },
      });
    });
  }

  response(id: number): Promise<WireMessage> {
    return this.next((m) => (m as { type: string; id: number }).type === 'response' && (m as { id: number }).id === id);
  }

  /** Everything received and not yet taken. */
  get unread(): unknown[] {
    return this.messages;
  }

  close(): void {
    this.ws.close();
  }
}
