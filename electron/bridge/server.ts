/**
 * The browser bridge (DESIGN.md §9): one HTTP server that serves the renderer build and, at
 * `/api`, the engine API over WebSocket, in front of one engine host process. Only sockets that
 * carry the start's token and come from the server's own origin get in; every message is
 * validated and path-checked against the root before it reaches the host.
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { type WebSocket, WebSocketServer } from 'ws';
import { HostSupervisor } from './host-supervisor.ts';
import { RequestRouter } from './request-router.ts';
import {
  allowedOrigins,
  isWildcardHost,
  newToken,
  originAllowed,
  reachableHosts,
  staticHeaders,
  tokenMatches,
  urlHost,
} from './security.ts';
import { serveStatic } from './static-files.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const DEFAULT_STATIC_DIR = path.join(REPO, 'dist', 'renderer');
export const DEFAULT_HOST_ENTRY = path.join(REPO, 'electron', 'engine', 'host', 'host-process.ts');
/** The largest WebSocket message accepted; a bigger one closes the socket (1009). */
export const MAX_MESSAGE_BYTES = 1024 * 1024;

export interface BridgeServerOptions {
  /** The folder projects may live in; every request path must lie below it. */
  root: string;
  /** Listen address (default 127.0.0.1; the CLI refuses non-loopback without --allow-remote). */
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  staticDir?: string;
  hostEntry?: string;
  /** Tests may fix it; normally a new random one per start. */
  token?: string;
  /** How long the host may take to exit on close before it is killed. */
  shutdownGraceMs?: number;
  log?: (line: string) => void;
}

export interface BridgeServer {
  /** The page to open: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  /** The API socket: `ws://127.0.0.1:PORT/api?token=TOKEN`. */
  wsUrl: string;
  port: number;
  token: string;
  root: string;
  /** Pid of the ready engine host, null while it (re)starts. */
  hostPid(): number | null;
  whenHostReady(): Promise<void>;
  close(): Promise<void>;
}

export async function startBridgeServer(options: BridgeServerOptions): Promise<BridgeServer> {
  const root = path.resolve(options.root);
  const listenHost = options.host ?? '127.0.0.1';
  const staticDir = path.resolve(options.staticDir ?? DEFAULT_STATIC_DIR);
  const token = options.token ?? newToken();
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const hostEntry = path.resolve(options.hostEntry ?? DEFAULT_HOST_ENTRY);
  // A missing entry would only show as a host that dies at every restart.
  if (!existsSync(hostEntry)) throw new Error(`engine host entry not found: ${hostEntry}`);

  const router = new RequestRouter({ send: (m) => supervisor.send(m) }, root);
  const supervisor = new HostSupervisor({
    entry: hostEntry,
    root,
    log,
    onMessage: (m) => router.fromHost(m),
    onExit: () => {
      supervisor.clearQueue();
      router.failAll({ code: 'internal', message: 'engine stopped' });
    },
  });

  // Filled in once the port is known (the headers and origins name it).
  let headers: Record<string, string> = {};
  let origins = new Set<string>();

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  wss.on('connection', (ws: WebSocket) => {
    router.add(ws);
    ws.on('message', (data, isBinary) => router.fromClient(ws, data as Buffer, isBinary));
    ws.on('close', () => router.remove(ws));
    // Oversized or broken frames: ws closes the socket itself; nothing else to do.
    ws.on('error', () => {});
  });

  const server = createServer((req, res) => {
    if (requestPath(req) === '/api') {
      res.writeHead(426, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('WebSocket upgrade required');
      return;
    }
    serveStatic(req, res, staticDir, headers).catch((e: Error) => {
      log(`static file error: ${e.message}`);
      if (!res.headersSent) res.writeHead(500, headers);
      res.end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://bridge.invalid');
    if (url.pathname !== '/api') return refuseUpgrade(socket, 404, 'Not Found');
    if (!tokenMatches(url.searchParams.get('token'), token)) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!originAllowed(req.headers.origin, origins)) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  supervisor.start();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, listenHost, () => resolve());
    });
  } catch (e) {
    await supervisor.stop(0);
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  const hosts = reachableHosts(listenHost);
  headers = staticHeaders(hosts, port);
  origins = allowedOrigins(hosts, port);
  const shownHost = isWildcardHost(listenHost) ? '127.0.0.1' : urlHost(listenHost);

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    wsUrl: `ws://${shownHost}:${port}/api?token=${token}`,
    port,
    token,
    root,
    hostPid: () => supervisor.pid,
    whenHostReady: () => supervisor.whenReady(),
    close: () => {
      closing ??= (async () => {
        for (const ws of wss.clients) ws.close(1001, 'bridge shutting down');
        await supervisor.stop(options.shutdownGraceMs);
        // Upgraded sockets keep server.close() waiting: drop any that did not finish closing.
        for (const ws of wss.clients) ws.terminate();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}

const requestPath = (req: IncomingMessage): string => (req.url ?? '/').split('?')[0]!;

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
