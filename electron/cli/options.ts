/** Option value parsers: a bad value is a usage error (exit 2) that names the option. */
import { InvalidArgumentError } from 'commander';

export function intOption(min: number) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected an integer, got "${value}"`);
    const n = Number(value);
    if (n < min) throw new InvalidArgumentError(`expected an integer ≥ ${min}, got ${n}`);
    return n;
  };
}

export function listOption(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function positiveNumberOption(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x <= 0)
    throw new InvalidArgumentError(`expected a positive number, got "${value}"`);
  return x;
}

/** Help of every training/scoring `--threads` option (project-file.ts projectThreads). */
export const THREADS_HELP =
  'CPU threads (default: the project\'s "threads", else all cores; 1 = the same numbers every run)';
