/**
 * The wire format between a UI and the engine host, the same over Electron IPC and the browser
 * bridge's WebSocket: requests carry an id, each gets exactly one response, and events are pushed.
 * `parseRequest` is the one validation every entry point runs before anything reaches the engine.
 */
import { z } from 'zod';
import { type ApiMethod, type ApiParams, type ApiResult, apiSchemas, isApiMethod } from './api.ts';
import { type EventData, type EventName, eventSchemas } from './events.ts';
import { type ApiError, apiErrorSchema } from './jobs.ts';

export const requestMessageSchema = z.object({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  method: z.string(),
  params: z.unknown(),
});

export const responseMessageSchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal('response'), id: z.number().int(), ok: z.literal(false), error: apiErrorSchema }),
]);
export type ResponseMessage = z.infer<typeof responseMessageSchema>;

export const eventMessageSchema = z.object({ type: z.literal('event'), event: z.string(), data: z.unknown() });
export type EventMessage = z.infer<typeof eventMessageSchema>;

export interface ValidRequest<M extends ApiMethod = ApiMethod> {
  id: number;
  method: M;
  params: ApiParams<M>;
}

/** Where a zod issue points, as "field" or "field.sub[2]". */
function issuePath(p: readonly PropertyKey[]): string {
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i > 0 ? '.' : ''}${String(k)}`)).join('');
}

/** The first problem of a failed parse, in plain words, and the field it concerns. */
export function describeIssues(error: z.ZodError): { message: string; field?: string } {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid value' };
  const field = issuePath(issue.path);
  return { message: field ? `${field}: ${issue.message}` : issue.message, field: field || undefined };
}

/** A validated request, or the error response to send back (never throws). */
export function parseRequest(
  raw: unknown,
): { ok: true; request: ValidRequest } | { ok: false; response: ResponseMessage } {
  const envelope = requestMessageSchema.safeParse(raw);
  const id = typeof (raw as { id?: unknown })?.id === 'number' ? (raw as { id: number }).id : -1;
  const fail = (error: ApiError) => ({
    ok: false as const,
    response: { type: 'response' as const, id, ok: false as const, error },
  });
  if (!envelope.success)
    return fail({ code: 'input', message: `malformed request: ${describeIssues(envelope.error).message}` });
  const { method, params } = envelope.data;
  if (!isApiMethod(method)) return fail({ code: 'input', message: `unknown method "${method}"` });
  const parsed = apiSchemas[method].params.safeParse(params ?? {});
  if (!parsed.success) return fail({ code: 'input', ...describeIssues(parsed.error) });
  return { ok: true, request: { id: envelope.data.id, method, params: parsed.data as ApiParams<ApiMethod> } };
}

export function eventMessage<E extends EventName>(event: E, data: EventData<E>): EventMessage {
  return { type: 'event', event, data };
}

/** Checks an event before it is sent (the host) or handled (a client). */
export function parseEvent(raw: unknown): { event: EventName; data: unknown } | null {
  const m = eventMessageSchema.safeParse(raw);
  if (!m.success || !Object.hasOwn(eventSchemas, m.data.event)) return null;
  const event = m.data.event as EventName;
  const data = eventSchemas[event].safeParse(m.data.data);
  return data.success ? { event, data: data.data } : null;
}

/**
 * What the renderer sees, whatever the transport: Electron's preload exposes it as `window.recx`,
 * browser mode implements it over the bridge's WebSocket.
 */
export interface RecxApi {
  invoke<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>>;
  on<E extends EventName>(event: E, listener: (data: EventData<E>) => void): () => void;
}

/** A failed request as the client sees it: the engine's error, with the field it concerns. */
export class RecxApiError extends Error {
  override name = 'RecxApiError';
  constructor(readonly error: ApiError) {
    super(error.message);
  }
  get field(): string | undefined {
    return this.error.field;
  }
  get code(): ApiError['code'] {
    return this.error.code;
  }
}

/**
 * The API error behind a rejected `invoke`, whatever shape it arrived in: a RecxApiError (browser
 * mode), or the plain object Electron's IPC leaves of one (class and custom fields do not survive
 * contextBridge, so the preload rejects with `{ message, code, field }`).
 */
export function apiErrorOf(e: unknown): ApiError {
  if (e instanceof RecxApiError) return e.error;
  const parsed = apiErrorSchema.safeParse(
    typeof e === 'object' && e !== null && 'error' in e ? (e as { error: unknown }).error : e,
  );
  if (parsed.success) return parsed.data;
  return { code: 'internal', message: e instanceof Error ? e.message : String(e) };
}
