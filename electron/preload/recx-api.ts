/**
 * `window.recx` over Electron IPC (contracts/messages.ts `RecxApi`): `invoke` sends one request
 * message on the invoke channel and unwraps the response; `on` subscribes to pushed events, each
 * checked with `parseEvent` before a listener sees it. Takes the IPC object as a parameter so it is
 * tested with a fake; preload.ts passes Electron's ipcRenderer.
 */
import type { ApiMethod, ApiParams, ApiResult } from '../contracts/api.ts';
import { EVENT_NAMES, type EventData, type EventName } from '../contracts/events.ts';
import type { ApiError } from '../contracts/jobs.ts';
import { parseEvent, type RecxApi, responseMessageSchema } from '../contracts/messages.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../main/ipc-channels.ts';

/** The parts of Electron's ipcRenderer this uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

/**
 * How a failed request reaches the page. contextBridge copies values between worlds and drops an
 * Error's own properties and class, so a RecxApiError would arrive as a bare Error without `code`
 * or `field`; a plain object with RecxApiError's fields survives the copy intact.
 */
export interface RecxApiErrorLike {
  name: 'RecxApiError';
  message: string;
  code: ApiError['code'];
  field?: string;
  error: ApiError;
}

export function toRecxApiErrorLike(error: ApiError): RecxApiErrorLike {
  const out: RecxApiErrorLike = { name: 'RecxApiError', message: error.message, code: error.code, error };
  if (error.field !== undefined) out.field = error.field;
  return out;
}

export function createRecxApi(ipc: IpcRendererLike): RecxApi {
  let nextId = 1;
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();

  ipc.on(EVENT_CHANNEL, (_event, message) => {
    const parsed = parseEvent(message);
    if (!parsed) return;
    for (const listener of [...(listeners.get(parsed.event) ?? [])]) {
      try {
        listener(parsed.data);
      } catch (e) {
        // One broken panel must not stop the others from getting the event.
        console.error(`recx: a "${parsed.event}" listener threw`, e);
      }
    }
  });

  async function invoke<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    const id = nextId++;
    const raw = await ipc.invoke(INVOKE_CHANNEL, { type: 'request', id, method, params });
    const response = responseMessageSchema.safeParse(raw);
    if (!response.success || response.data.id !== id) {
      throw toRecxApiErrorLike({ code: 'internal', message: `malformed response to "${method}"` });
    }
    if (!response.data.ok) throw toRecxApiErrorLike(response.data.error);
    return response.data.result as ApiResult<M>;
  }

  function on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void {
    if (!EVENT_NAMES.includes(event)) throw new TypeError(`unknown event "${String(event)}"`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const wrapped = (data: unknown) => listener(data as EventData<E>);
    const set = listeners.get(event) ?? new Set();
    listeners.set(event, set);
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  return { invoke, on };
}
