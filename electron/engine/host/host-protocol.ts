/**
 * Messages between the engine host process and its parent (Electron main, or the browser bridge).
 * UI traffic is the contracts' request/response/event messages (contracts/messages.ts), passed
 * through unchanged; on top of that the parent sends control messages and the host says when it is
 * ready. The host runs as an Electron utilityProcess (`process.parentPort`) or a Node child process
 * forked with an IPC channel (`process.send`); host-process.ts handles both.
 */
import type { EventMessage, ResponseMessage } from '../../contracts/messages.ts';

/** Parent → host: let requests reach this folder (a folder the user picked, or the bridge's root). */
export interface GrantMessage {
  type: 'control';
  action: 'grant';
  dir: string;
}

/** Parent → host: finish the running job's checkpoint and exit. */
export interface ShutdownMessage {
  type: 'control';
  action: 'shutdown';
}

export type ControlMessage = GrantMessage | ShutdownMessage;

/** Host → parent, once, when it accepts requests. */
export interface ReadyMessage {
  type: 'ready';
  pid: number;
}

export type HostOutgoing = ResponseMessage | EventMessage | ReadyMessage;

export const isControlMessage = (m: unknown): m is ControlMessage =>
  typeof m === 'object' && m !== null && (m as { type?: unknown }).type === 'control';
