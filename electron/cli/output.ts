/** How commands report: one JSON object on stdout with --json, readable text otherwise; errors typed. */
import { DatasetFormatError, RecxError } from '../engine/errors.ts';

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

export const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

export function printJson(io: Io, value: unknown): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

/** Errors a user can fix: ours, and system errors on their files (permission, disk full, …). */
export function isUserError(e: unknown): boolean {
  if (e instanceof RecxError) return true;
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && 'syscall' in e;
}

export function errorJson(e: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { type: e.name, message: e.message };
  if (e instanceof DatasetFormatError) Object.assign(out, e.details);
  return { error: out };
}
