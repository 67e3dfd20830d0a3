/**
 * Chart data from metrics lines: pure functions, so tests check the data and not canvas pixels.
 * A point is [x, y]; x is the step or the seconds since the job started.
 */
import type { MetricsLine } from '../contracts.ts';
import type { XAxisKind } from '../state/ui-state.ts';

export type Point = [number, number];

export interface Series {
  name: string;
  data: Point[];
  /** 0: left axis, 1: right axis. */
  yAxis?: 0 | 1;
  dashed?: boolean;
}

export interface RunLines {
  /** Shown in legends ("I · 20261129-013512"). */
  label: string;
  lines: readonly MetricsLine[];
}

/**
 * Exponential moving average with TensorBoard's bias correction, so the first points are not
 * pulled toward zero. `weight` 0 returns the values unchanged.
 */
export function ema(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  let acc = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v; // a NaN/inf loss is shown as is, not smeared into neighbours
    n++;
    acc = weight * acc + (1 - weight) * v;
    return acc / (1 - weight ** n);
  });
}

const xOf = (l: MetricsLine, axis: XAxisKind) => (axis === 'step' ? l.step : l.timeSec);

function points(lines: readonly MetricsLine[], axis: XAxisKind, y: (l: MetricsLine) => number | undefined): Point[] {
  const out: Point[] = [];
  for (const l of lines) {
    const x = xOf(l, axis);
    const v = y(l);
    // Lines without a time (older metrics files) have no place on the time axis.
    if (x !== undefined && v !== undefined) out.push([x, v]);
  }
  return out;
}

function smooth(p: Point[], weight: number): Point[] {
  const ys = ema(
    p.map(([, y]) => y),
    weight,
  );
  return p.map(([x], i) => [x, ys[i]]);
}

/** Sorted task keys found in eval lines: "loss/T1", "loss/T3", … */
export function evalLossKeys(lines: readonly MetricsLine[]): string[] {
  const keys = new Set<string>();
  for (const l of lines) for (const k of Object.keys(l.eval ?? {})) if (k.startsWith('loss/')) keys.add(k);
  return [...keys].sort();
}

/** Training loss (smoothed) and held-out loss per task (dashed, raw: they are few points) of each run. */
export function buildLossSeries(runs: readonly RunLines[], opts: { smoothing: number; xAxis: XAxisKind }): Series[] {
  const out: Series[] = [];
  for (const r of runs) {
    out.push({
      name: `${r.label} train`,
      data: smooth(
        points(r.lines, opts.xAxis, (l) => l.loss),
        opts.smoothing,
      ),
    });
    for (const key of evalLossKeys(r.lines)) {
      out.push({
        name: `${r.label} ${key.slice('loss/'.length)}`,
        data: points(r.lines, opts.xAxis, (l) => l.eval?.[key]),
        dashed: true,
      });
    }
  }
  return out;
}

export type ScalarField = 'lr' | 'tokensPerSec' | 'rssMb';

/** One line per run of a step field (learning rate, throughput, memory). */
export function buildScalarSeries(
  runs: readonly RunLines[],
  field: ScalarField,
  opts: { smoothing: number; xAxis: XAxisKind },
): Series[] {
  // The learning rate is a schedule, not a noisy measurement: never smoothed.
  const weight = field === 'lr' ? 0 : opts.smoothing;
  return runs.map((r) => ({
    name: r.label,
    data: smooth(
      points(r.lines, opts.xAxis, (l) => l[field]),
      weight,
    ),
  }));
}

export const pointCount = (series: readonly Series[]) => series.reduce((n, s) => n + s.data.length, 0);

/** The epoch of an eval line: the line's own, or the evaluator's `epoch` metric. */
const evalEpoch = (l: MetricsLine) => l.epoch ?? l.eval?.epoch;

/**
 * The recommender's training curve by epoch: the mean training loss of each epoch (left axis) and
 * the validation NDCG@10 (right axis). Step lines rarely carry their epoch, so it is derived from
 * the steps per epoch that the first eval line reveals (step / epoch).
 */
export function buildRecommenderCurve(lines: readonly MetricsLine[], metric = 'NDCG@10'): Series[] {
  const firstEval = lines.find((l) => l.eval && evalEpoch(l));
  const stepsPerEpoch = firstEval ? firstEval.step / (evalEpoch(firstEval) as number) : null;
  const sums = new Map<number, { sum: number; n: number }>();
  const ndcg: Point[] = [];
  for (const l of lines) {
    if (l.eval) {
      const e = evalEpoch(l);
      const v = l.eval[metric];
      if (e !== undefined && v !== undefined) ndcg.push([e, v]);
    }
    if (l.loss === undefined) continue;
    const epoch = l.epoch ?? (stepsPerEpoch ? Math.max(1, Math.ceil(l.step / stepsPerEpoch)) : 1);
    const acc = sums.get(epoch) ?? { sum: 0, n: 0 };
    acc.sum += l.loss;
    acc.n++;
    sums.set(epoch, acc);
  }
  const loss: Point[] = [...sums.entries()].sort((a, b) => a[0] - b[0]).map(([e, { sum, n }]) => [e, sum / n]);
  return [
    { name: 'train loss (epoch mean)', data: loss },
    { name: `validation ${metric}`, data: ndcg, yAxis: 1 },
  ];
}
