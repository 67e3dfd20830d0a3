/**
 * The renderer's API in browser mode: `RecxApi` over the bridge's WebSocket (electron/bridge/).
 * Results and events are validated with the contracts' schemas, as the Electron preload does, so
 * the UI can trust their types. When the socket drops, requests in flight fail (the engine may
 * still finish them; the UI re-reads state with e.g. `jobs.list`) and the client reconnects.
 */
import {
  type ApiMethod,
  type ApiParams,
  type ApiResult,
  apiSchemas,
  describeIssues,
  type EventData,
  type EventName,
  parseEvent,
  type RecxApi,
  RecxApiError,
  responseMessageSchema,
} from '../../../electron/contracts/index.ts';

/** The part of the WHATWG WebSocket the client uses (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface BridgeClientOptions {
  WebSocket?: new (url: string) => WebSocketLike;
  /** Reconnect delays grow from the first to the last (ms). */
  minDelayMs?: number;
  maxDelayMs?: number;
}

export interface BridgeConnection extends RecxApi {
  /** Whether the socket is open now. */
  readonly connected: boolean;
  /** Stops reconnecting and closes the socket; pending requests fail. */
  close(): void;
}

/** Same limit as the bridge's: a bigger message would make the server close the socket. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
const OPEN = 1;

interface Pending {
  method: ApiMethod;
  resolve: (value: unknown) => void;
  reject: (error: RecxApiError) => void;
}

const lost = (why: string) =>
  new RecxApiError({ code: 'internal', message: `lost the connection to the engine: ${why}` });

export function connectBridge(wsUrl: string, options: BridgeClientOptions = {}): BridgeConnection {
  const Ctor = options.WebSocket ?? (globalThis.WebSocket as unknown as new (url: string) => WebSocketLike);
  const minDelay = options.minDelayMs ?? 250;
  const maxDelay = options.maxDelayMs ?? 10_000;
  const pending = new Map<number, Pending>();
  /** Requests made while the socket is (re)connecting, sent once it opens. */
  let outbox: string[] = [];
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();
  let nextId = 1;
  let delay = minDelay;
  let closed = false;
  let socket: WebSocketLike;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function failAll(error: RecxApiError): void {
    const all = [...pending.values()];
    pending.clear();
    outbox = [];
    for (const p of all) p.reject(error);
  }

  function handleResponse(raw: unknown): void {
    const m = responseMessageSchema.safeParse(raw);
    if (!m.success) return;
    const p = pending.get(m.data.id);
    if (!p) return;
    pending.delete(m.data.id);
    if (!m.data.ok) {
      p.reject(new RecxApiError(m.data.error));
      return;
    }
    const result = apiSchemas[p.method].result.safeParse(m.data.result);
    if (result.success) p.resolve(result.data);
    else
      p.reject(
        new RecxApiError({
          code: 'internal',
          message: `the engine's answer to ${p.method} is invalid: ${describeIssues(result.error).message}`,
        }),
      );
  }

  function handleEvent(raw: unknown): void {
    const ev = parseEvent(raw);
    if (!ev) return;
    for (const l of listeners.get(ev.event) ?? []) {
      try {
        l(ev.data);
      } catch (e) {
        // One broken panel must not stop the others from getting the event.
        console.error(`listener of ${ev.event} failed`, e);
      }
    }
  }

  function connect(): void {
    const ws = new Ctor(wsUrl);
    socket = ws;
    ws.onopen = () => {
      delay = minDelay;
      for (const text of outbox) ws.send(text);
      outbox = [];
    };
    ws.onmessage = (ev) => {
      let raw: unknown;
      try {
        raw = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      const type = (raw as { type?: unknown } | null)?.type;
      if (type === 'response') handleResponse(raw);
      else if (type === 'event') handleEvent(raw);
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      failAll(lost(closed ? 'closed' : `socket closed (${ev.code}${ev.reason ? `: ${ev.reason}` : ''}); reconnecting`));
      if (closed) return;
      timer = setTimeout(() => {
        timer = null;
        if (!closed) connect();
      }, delay);
      delay = Math.min(delay * 2, maxDelay);
    };
  }

  connect();

  return {
    get connected() {
      return socket.readyState === OPEN;
    },
    invoke<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
      if (closed) return Promise.reject(lost('closed'));
      const id = nextId++;
      const text = JSON.stringify({ type: 'request', id, method, params });
      if (text.length > MAX_MESSAGE_BYTES / 3 && new TextEncoder().encode(text).length > MAX_MESSAGE_BYTES) {
        return Promise.reject(new RecxApiError({ code: 'input', message: `the ${method} request exceeds 1 MB` }));
      }
      return new Promise<ApiResult<M>>((resolve, reject) => {
        pending.set(id, { method, resolve: resolve as (v: unknown) => void, reject });
        if (socket.readyState === OPEN) socket.send(text);
        else outbox.push(text);
      });
    },
    on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      const l = listener as (data: unknown) => void;
      set.add(l);
      return () => set.delete(l);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      failAll(lost('closed'));
      socket.close(1000, 'closed by the page');
    },
  };
}

/** The bridge socket for the page the bridge served: `ws://host/api?token=…`, or null without a token. */
export function bridgeUrlFromLocation(location: { protocol: string; host: string; search: string }): string | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/api?token=${encodeURIComponent(token)}`;
}
