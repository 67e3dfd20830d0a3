/**
 * Requests sent to the engine host and not yet answered. Each gets an id and a timer; every entry
 * ends exactly once: with the host's response, with a timeout, or failed at once when the host
 * dies (`failAll`), so the renderer never waits on a request nobody will answer.
 */
import type { ApiError } from '../contracts/jobs.ts';

export type HostReply = { ok: true; result: unknown } | { ok: false; error: ApiError };

interface Entry {
  resolve(reply: HostReply): void;
  timer: ReturnType<typeof setTimeout>;
}

export class PendingRequests {
  private nextId = 1;
  private readonly entries = new Map<number, Entry>();

  /** A new id and the promise of its reply; `describe` names the request in a timeout message. */
  add(timeoutMs: number, describe: string): { id: number; reply: Promise<HostReply> } {
    const id = this.nextId++;
    const reply = new Promise<HostReply>((resolve) => {
      const timer = setTimeout(() => {
        this.settle(id, {
          ok: false,
          error: {
            code: 'internal',
            message: `the engine did not answer ${describe} within ${Math.round(timeoutMs / 1000)} s`,
          },
        });
      }, timeoutMs);
      // A pending request must not keep the app alive on quit.
      timer.unref?.();
      this.entries.set(id, { resolve, timer });
    });
    return { id, reply };
  }

  /** Ends request `id`; false when it is unknown or already ended (late or duplicate answers). */
  settle(id: number, reply: HostReply): boolean {
    const entry = this.entries.get(id);
    if (!entry) return false;
    this.entries.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(reply);
    return true;
  }

  has(id: number): boolean {
    return this.entries.has(id);
  }

  /** Fails every open request with `error` (the host died or is shutting down). */
  failAll(error: ApiError): number {
    const ids = [...this.entries.keys()];
    for (const id of ids) this.settle(id, { ok: false, error });
    return ids.length;
  }

  get size(): number {
    return this.entries.size;
  }
}
