/**
 * Between the browser sockets and the one engine host: validates every message from a socket
 * (contracts' parseRequest, then the root's path policy), answers what the bridge answers itself,
 * forwards the rest under a host-unique id, and routes each response back to the socket that
 * asked under the id it used. Tabs pick their ids independently, so ids are remapped per socket.
 */
import type { ApiError } from '../contracts/jobs.ts';
import { parseRequest, type ResponseMessage } from '../contracts/messages.ts';
import { accessError, deniedPath } from '../engine/host/access-policy.ts';
import type { HostOutgoing } from '../engine/host/host-protocol.ts';

/** The part of a ws WebSocket the router uses. */
export interface ClientSocket {
  send(data: string): void;
  readonly readyState: number;
}

const OPEN = 1;

interface Pending {
  socket: ClientSocket;
  clientId: number;
}

export class RequestRouter {
  private nextHostId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly sockets = new Set<ClientSocket>();

  constructor(
    private readonly host: { send(message: unknown): void },
    private readonly root: string,
  ) {}

  get pendingCount(): number {
    return this.pending.size;
  }

  add(socket: ClientSocket): void {
    this.sockets.add(socket);
  }

  /** A closed socket's requests still finish in the host; their responses are dropped. */
  remove(socket: ClientSocket): void {
    this.sockets.delete(socket);
    for (const [id, p] of this.pending) if (p.socket === socket) this.pending.delete(id);
  }

  fromClient(socket: ClientSocket, data: string | Buffer, isBinary: boolean): void {
    const answer = this.forward(socket, data, isBinary);
    if (answer) reply(socket, answer);
  }

  /** Forwards a valid request to the host (null), or returns the bridge's own answer. */
  private forward(socket: ClientSocket, data: string | Buffer, isBinary: boolean): ResponseMessage | null {
    if (isBinary) return errorResponse(-1, { code: 'input', message: 'binary messages are not accepted' });
    let raw: unknown;
    try {
      raw = JSON.parse(String(data));
    } catch (e) {
      return errorResponse(-1, { code: 'input', message: `malformed JSON: ${(e as Error).message}` });
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) return parsed.response;
    const { id, method, params } = parsed.request;
    // No native dialog exists in a browser: the user types paths under the root instead.
    if (method === 'project.choose') return { type: 'response', id, ok: true, result: { dir: null } };
    const denied = deniedPath(method, params, [this.root]);
    if (denied) return errorResponse(id, accessError(denied));
    const hostId = this.nextHostId++;
    this.pending.set(hostId, { socket, clientId: id });
    this.host.send({ type: 'request', id: hostId, method, params });
    return null;
  }

  fromHost(message: HostOutgoing): void {
    if (message.type === 'event') {
      const text = JSON.stringify(message);
      for (const s of this.sockets) if (s.readyState === OPEN) s.send(text);
    } else if (message.type === 'response') {
      const p = this.pending.get(message.id);
      if (!p) return;
      this.pending.delete(message.id);
      reply(p.socket, { ...message, id: p.clientId });
    }
  }

  /** Every request the host had (or was about to get) fails with `error`. */
  failAll(error: ApiError): void {
    const all = [...this.pending.values()];
    this.pending.clear();
    for (const p of all) reply(p.socket, errorResponse(p.clientId, error));
  }
}

const errorResponse = (id: number, error: ApiError): ResponseMessage => ({ type: 'response', id, ok: false, error });

function reply(socket: ClientSocket, message: ResponseMessage): void {
  if (socket.readyState === OPEN) socket.send(JSON.stringify(message));
}
