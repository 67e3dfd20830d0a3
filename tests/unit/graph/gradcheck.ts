/**
 * Finite-difference gradient checking for graph ops: builds loss = Σ f(inputs)·R (R a fixed random
 * projection, so every output element matters), differentiates it with autodiff, runs it in ORT,
 * and compares each gradient with central differences of the same session's loss.
 */
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
}

export interface GradCheckResult {
  maxRelError: number;
  worst: string;
  analytic: Record<string, Float64Array>;
  numeric: Record<string, Float64Array>;
}

function randomData(dtype: DType, n: number, rng: Rng, margin = 0): HostTensor['data'] {
  const Arr = dtype === 'float64' ? Float64Array : Float32Array;
  const out = new Arr(n);
  for (let k = 0; k < n; k++) {
    let x = rng.normal();
    while (margin > 0 && Math.abs(x) < margin) x = rng.normal();
    out[k] = x;
  }
  return out;
}

export async function gradCheck(
  inputs: GradInput[],
  f: (...xs: Value[]) => Value,
  opts: { dtype?: 'float32' | 'float64'; eps?: number; seed?: number } = {},
): Promise<GradCheckResult> {
  const dtype = opts.dtype ?? 'float64';
  const eps = opts.eps ?? (dtype === 'float64' ? 1e-6 : 1e-2);
  const rng = new Rng(opts.seed ?? 1);
  const g = new Graph('gradcheck');
  const feeds: Record<string, HostTensor> = {};
  const values = inputs.map((i) => {
    const dt = i.dtype ?? dtype;
    const v = g.input(i.name, dt, i.dims);
    const size = i.dims.reduce((p, d) => p * d, 1);
    feeds[i.name] = { dtype: dt, dims: i.dims, data: i.data ?? randomData(dt, size, rng, i.margin) };
    return v;
  });
  const y = f(...values);
  const ySize = y.shape.reduce((p: number, d) => p * (d as number), 1);
  const proj = g.constant(randomData(y.dtype, ySize, rng), y.dtype, y.shape as number[], 'projection');
  const loss = reduceSum(
    mul(y, proj),
    y.shape.map((_, k) => k),
  );
  const wrt = values.filter(
    (v, k) => (inputs[k].differentiable ?? true) && (v.dtype === 'float32' || v.dtype === 'float64'),
  );
  const grads = grad(loss, wrt);
  g.output(loss, 'loss');
  grads.forEach((d, k) => {
    if (!d) throw new Error(`no gradient for ${wrt[k].name}`);
    g.output(d, `grad_${wrt[k].name}`);
  });
  const session = await GraphSession.create(g, { providers: ['cpu'], threads: 1 });
  const base = await session.run(feeds);
  const analytic: Record<string, Float64Array> = {};
  const numeric: Record<string, Float64Array> = {};
  let maxRelError = 0;
  let worst = '';
  const lossAt = async () => Number((await session.run(feeds)).loss.data[0]);
  for (const w of wrt) {
    const data = feeds[w.name].data as Float64Array | Float32Array;
    analytic[w.name] = Float64Array.from(base[`grad_${w.name}`].data as Float64Array);
    numeric[w.name] = new Float64Array(data.length);
    for (let k = 0; k < data.length; k++) {
      const orig = data[k];
      data[k] = orig + eps;
      const up = await lossAt();
      data[k] = orig - eps;
      const down = await lossAt();
      data[k] = orig;
      numeric[w.name][k] = (up - down) / (2 * eps);
    }
    const scale = Math.max(1, ...numeric[w.name].map(Math.abs));
    numeric[w.name].forEach((nv, k) => {
      const err = Math.abs(nv - analytic[w.name][k]) / scale;
      if (err > maxRelError) {
        maxRelError = err;
        worst = `${w.name}[${k}]: analytic ${analytic[w.name][k]}, numeric ${nv}`;
      }
    });
  }
  await session.release();
  return { maxRelError, worst, analytic, numeric };
}
