/**
 * Finite-difference gradient checking for graph ops: builds loss = Σ f(inputs)·R (R a fixed random
 * projection, so every output element matters), differentiates it with autodiff, runs it in ORT,
 * and compares each gradient with central differences of the same session's loss.
 * `evalGraph` runs a small forward graph once, for checks of values rather than gradients.
 */
import { expect } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import { type DType, Graph, type HostTensor, type Value } from '../../../electron/engine/graph/graph.ts';
import { mul, reduceSum } from '../../../electron/engine/graph/ops/index.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { Rng } from '../../../electron/engine/random.ts';

export interface GradInput {
  name: string;
  dims: number[];
  /** Differentiate with respect to this input (default true for floats). */
  differentiable?: boolean;
  /** Fixed data (e.g. integer indices); random normal floats otherwise. */
  data?: HostTensor['data'];
  dtype?: DType;
  /** Keep random values away from kinks (e.g. |x| > margin for Relu/Abs). */
  margin?: number;
  /** Random values are |N(0,1)| + positive (for Log, Sqrt, fractional Pow, divisors). */
  positive?: number;
  /** Finite-difference step for this input (default: the check's eps). */
  eps?: number;
}

export interface GradCheckResult {
  maxRelError: number;
  worst: string;
  loss: number;
  analytic: Record<string, Float64Array>;
  numeric: Record<string, Float64Array>;
}

function randomData(dtype: DType, n: number, rng: Rng, margin = 0, positive?: number): HostTensor['data'] {
  const Arr = dtype === 'float64' ? Float64Array : Float32Array;
  const out = new Arr(n);
  for (let k = 0; k < n; k++) {
    let x = rng.normal();
    while (margin > 0 && Math.abs(x) < margin) x = rng.normal();
    out[k] = positive === undefined ? x : Math.abs(x) + positive;
  }
  return out;
}

/** d loss / d data[k] for every k by central differences, perturbing `data` in place (restored after). */
export async function centralDifferences(
  lossAt: () => Promise<number>,
  data: Float64Array | Float32Array,
  eps: number,
): Promise<Float64Array> {
  const out = new Float64Array(data.length);
  for (let k = 0; k < data.length; k++) {
    const orig = data[k];
    data[k] = orig + eps;
    const hi = data[k]; // the step actually stored (float32 rounds it)
    const up = await lossAt();
    data[k] = orig - eps;
    const lo = data[k];
    const down = await lossAt();
    data[k] = orig;
    out[k] = (up - down) / (hi - lo);
  }
  return out;
}

/** Fixed float data in the precision of the check (so one fixture serves float32 and float64). */
function floatAs(dtype: DType, data: HostTensor['data']): HostTensor['data'] {
  if (dtype === 'float64' && data instanceof Float32Array) return Float64Array.from(data);
  if (dtype === 'float32' && data instanceof Float64Array) return Float32Array.from(data);
  return data;
}

export async function gradCheck(
  inputs: GradInput[],
  f: (...xs: Value[]) => Value,
  opts: { dtype?: 'float32' | 'float64'; eps?: number; seed?: number } = {},
): Promise<GradCheckResult> {
  const dtype = opts.dtype ?? 'float64';
  const rng = new Rng(opts.seed ?? 1);
  const g = new Graph('gradcheck');
  const feeds: Record<string, HostTensor> = {};
  const values = inputs.map((i) => {
    const dt = i.dtype ?? dtype;
    const v = g.input(i.name, dt, i.dims);
    const size = i.dims.reduce((p, d) => p * d, 1);
    feeds[i.name] = {
      dtype: dt,
      dims: i.dims,
      data: i.data ? floatAs(dt, i.data) : randomData(dt, size, rng, i.margin, i.positive),
    };
    return v;
  });
  const y = f(...values);
  const ySize = y.shape.reduce((p: number, d) => p * (d as number), 1);
  const proj = g.constant(randomData(y.dtype, ySize, rng), y.dtype, y.shape as number[], 'projection');
  const loss = reduceSum(
    mul(y, proj),
    y.shape.map((_, k) => k),
  );
  const wrtInputs = inputs.filter((i, k) => {
    const dt = values[k].dtype;
    return (i.differentiable ?? true) && (dt === 'float32' || dt === 'float64');
  });
  const wrt = wrtInputs.map((i) => values[inputs.indexOf(i)]);
  const grads = grad(loss, wrt);
  g.output(loss, 'loss');
  grads.forEach((d, k) => {
    if (!d) throw new Error(`no gradient for ${wrt[k].name}`);
    if (d.dtype !== wrt[k].dtype) throw new Error(`gradient of ${wrt[k].name} has dtype ${d.dtype}`);
    g.output(d, `grad_${wrt[k].name}`);
  });
  const session = await GraphSession.create(g, { providers: ['cpu'], threads: 1 });
  const base = await session.run(feeds);
  const analytic: Record<string, Float64Array> = {};
  const numeric: Record<string, Float64Array> = {};
  let maxRelError = 0;
  let worst = '';
  const lossAt = async () => Number((await session.run(feeds)).loss.data[0]);
  for (const [j, w] of wrt.entries()) {
    const eps = wrtInputs[j].eps ?? opts.eps ?? (w.dtype === 'float64' ? 1e-6 : 1e-2);
    const data = feeds[w.name].data as Float64Array | Float32Array;
    const got = base[`grad_${w.name}`];
    if (got.data.length !== data.length) throw new Error(`gradient of ${w.name} has ${got.data.length} elements`);
    analytic[w.name] = Float64Array.from(got.data as Float64Array);
    numeric[w.name] = await centralDifferences(lossAt, data, eps);
    const scale = Math.max(1, ...numeric[w.name].map(Math.abs));
    numeric[w.name].forEach((nv, k) => {
      const err = Math.abs(nv - analytic[w.name][k]) / scale;
      if (!(err <= maxRelError)) {
        maxRelError = Number.isNaN(err) ? Number.POSITIVE_INFINITY : err;
        worst = `${w.name}[${k}]: analytic ${analytic[w.name][k]}, numeric ${nv}`;
      }
    });
  }
  await session.release();
  return { maxRelError, worst, loss: Number(base.loss.data[0]), analytic, numeric };
}

/**
 * Builds a graph from `build` (inputs declared on the given graph), marks the returned values as
 * outputs under their keys, runs it once on the CPU with `feeds`, and returns the outputs.
 */
export async function evalGraph(
  build: (g: Graph) => Record<string, Value>,
  feeds: Record<string, HostTensor>,
): Promise<Record<string, HostTensor>> {
  const g = new Graph('eval');
  for (const [name, v] of Object.entries(build(g))) g.output(v, name);
  const session = await GraphSession.create(g, { providers: ['cpu'], threads: 1 });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/** Float and int64 host tensors for feeds. */
export const f64 = (dims: number[], data: ArrayLike<number>): HostTensor => ({
  dtype: 'float64',
  dims,
  data: Float64Array.from(data),
});
export const f32 = (dims: number[], data: ArrayLike<number>): HostTensor => ({
  dtype: 'float32',
  dims,
  data: Float32Array.from(data),
});
export const i64 = (dims: number[], data: number[]): HostTensor => ({
  dtype: 'int64',
  dims,
  data: BigInt64Array.from(data.map(BigInt)),
});

/**
 * Runs gradCheck and fails when the worst relative error reaches `tol` (default 1e-6 for float64,
 * 5e-3 for float32). GRADCHECK_REPORT=1 prints each check's worst error.
 */
export async function expectGradient(
  label: string,
  inputs: GradInput[],
  f: (...xs: Value[]) => Value,
  opts: { dtype?: 'float32' | 'float64'; eps?: number; seed?: number; tol?: number } = {},
): Promise<GradCheckResult> {
  const r = await gradCheck(inputs, f, opts);
  const tol = opts.tol ?? ((opts.dtype ?? 'float64') === 'float64' ? 1e-6 : 5e-3);
  if (process.env.GRADCHECK_REPORT) process.stderr.write(`gradcheck ${label}: ${r.maxRelError.toExponential(2)}\n`);
  expect(r.maxRelError, `${label}: ${r.worst}`).toBeLessThan(tol);
  return r;
}
