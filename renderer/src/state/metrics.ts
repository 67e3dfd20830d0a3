/** Accumulating a run's metrics lines from history (`runs.metrics`) and live events (`job.metrics`). */
import type { MetricsLine } from '../contracts.ts';

/** One step line and one eval line may share a step number: both are kept, each once. */
const keyOf = (l: MetricsLine) => `${l.step}${l.eval ? 'e' : 's'}`;
const order = (a: MetricsLine, b: MetricsLine) => a.step - b.step || (a.eval ? 1 : 0) - (b.eval ? 1 : 0);

/**
 * `existing` plus `incoming`, ordered by step, without duplicates (history fetched after live
 * points arrived overlaps them; a resumed run repeats steps after its checkpoint: the newer wins).
 */
export function mergeMetricLines(existing: readonly MetricsLine[], incoming: readonly MetricsLine[]): MetricsLine[] {
  if (incoming.length === 0) return existing as MetricsLine[];
  const last = existing.at(-1);
  // Fast path for the live stream: new lines come after everything we have.
  if (!last || incoming.every((l, i) => order(i === 0 ? last : incoming[i - 1], l) < 0)) {
    return [...existing, ...incoming];
  }
  const byKey = new Map<string, MetricsLine>();
  for (const l of existing) byKey.set(keyOf(l), l);
  for (const l of incoming) byKey.set(keyOf(l), l);
  return [...byKey.values()].sort(order);
}

/** Where a job's metrics are kept: by run id when it has one (so history and live lines meet). */
export const metricsKey = (run: string | null, job: string) => run ?? `job:${job}`;

/** The latest ETA a run reported, in seconds (null when unknown). */
export function latestEta(lines: readonly MetricsLine[]): number | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const e = lines[i].etaSec;
    if (e !== undefined) return e;
  }
  return null;
}
