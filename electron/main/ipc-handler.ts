/**
 * The one entry point for renderer requests: checks who sent it (only the main window's top frame
 * at the app origin), validates it with the contracts' schemas, handles the folder dialog here (the
 * chosen folder becomes accessible), refuses paths outside the granted folders, and forwards the
 * rest to the engine host. It always answers with a response message, never throws.
 */
import type { ApiParams } from '../contracts/api.ts';
import type { ApiError } from '../contracts/jobs.ts';
import { parseRequest, type ResponseMessage, type ValidRequest } from '../contracts/messages.ts';
import { accessError, deniedPath } from '../engine/host/access-policy.ts';
import { isAppUrl } from './app-protocol.ts';
import type { HostReply } from './pending-requests.ts';

/** The parts of a frame (Electron's WebFrameMain) that identify it. */
export interface FrameLike {
  url: string;
  processId: number;
  routingId: number;
}

/** True when `sender` is the main window's top frame and shows an app page. */
export function isTrustedSender(
  sender: FrameLike | null | undefined,
  mainFrame: FrameLike | null | undefined,
): boolean {
  if (!sender || !mainFrame) return false;
  return sender.processId === mainFrame.processId && sender.routingId === mainFrame.routingId && isAppUrl(sender.url);
}

export type ChoosePurpose = ApiParams<'project.choose'>['purpose'];

export interface IpcRequestDeps<S> {
  isTrustedSender(sender: S): boolean;
  /** Folders the renderer may reach now. */
  roots(): readonly string[];
  /** Shows the native folder dialog; the absolute folder chosen, or null when cancelled. */
  chooseFolder(purpose: ChoosePurpose): Promise<string | null>;
  /** Makes `dir` reachable (main's list and the engine host's). */
  grant(dir: string): void;
  forward(request: ValidRequest): Promise<HostReply>;
}

const idOf = (raw: unknown): number => {
  const id = (raw as { id?: unknown } | null)?.id;
  return typeof id === 'number' && Number.isInteger(id) ? id : -1;
};

function errorResponse(id: number, error: ApiError): ResponseMessage {
  return { type: 'response', id, ok: false, error };
}

export function createIpcRequestHandler<S>(deps: IpcRequestDeps<S>) {
  return async function handleIpcRequest(sender: S, raw: unknown): Promise<ResponseMessage> {
    if (!deps.isTrustedSender(sender)) {
      return errorResponse(idOf(raw), {
        code: 'forbidden',
        message: 'request from a frame that is not the app window',
      });
    }
    const parsed = parseRequest(raw);
    if (!parsed.ok) return parsed.response;
    const { id } = parsed.request;
    try {
      const reply = await dispatch(parsed.request, deps);
      return reply.ok
        ? { type: 'response', id, ok: true, result: reply.result }
        : { type: 'response', id, ok: false, error: reply.error };
    } catch (e) {
      return errorResponse(id, { code: 'internal', message: e instanceof Error ? e.message : String(e) });
    }
  };
}

async function dispatch<S>(request: ValidRequest, deps: IpcRequestDeps<S>): Promise<HostReply> {
  if (request.method === 'project.choose') {
    const { purpose } = request.params as ApiParams<'project.choose'>;
    const dir = await deps.chooseFolder(purpose);
    if (dir !== null) deps.grant(dir);
    return { ok: true, result: { dir } };
  }
  const denied = deniedPath(request.method, request.params, deps.roots());
  if (denied) return { ok: false, error: accessError(denied) };
  return deps.forward(request);
}
