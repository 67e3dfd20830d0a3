/**
 * Loading the PyTorch reference fixtures of tests/fixtures/gen_graph_fixtures.py and measuring our
 * graphs against them: loss and every parameter gradient from one forward/backward graph, and the
 * loss curve of TrainStep's in-graph AdamW.
 */
import path from 'node:path';
import { expect } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import type { HostTensor } from '../../../electron/engine/graph/graph.ts';
import { loadSafetensors } from '../../../electron/engine/graph/safetensors.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { type ModelBuilder, TrainStep } from '../../../electron/engine/graph/train-step.ts';

export const FIXTURE_DIR = path.join(import.meta.dirname, '../../fixtures/graph');

export interface TorchFixture {
  meta: {
    torch: string;
    config: Record<string, unknown>;
    param_names: string[];
    loss: number;
    optimizer: { lr: number; betas: [number, number]; eps: number; weight_decay: number; max_grad_norm: number };
    curve: { loss: number[]; grad_norm: number[] };
  };
  params: Map<string, HostTensor>;
  grads: Map<string, HostTensor>;
  batch: Record<string, HostTensor>;
}

export type FloatDType = 'float32' | 'float64';

function convert(t: HostTensor, dtype: FloatDType): HostTensor {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') return t;
  return {
    dtype,
    dims: t.dims,
    data: dtype === 'float64' ? Float64Array.from(t.data as Float32Array) : Float32Array.from(t.data as Float32Array),
  };
}

/** Reads tests/fixtures/graph/<name>.safetensors with float tensors converted to `dtype`. */
export async function loadTorchFixture(name: string, dtype: FloatDType): Promise<TorchFixture> {
  const { tensors, metadata } = await loadSafetensors(path.join(FIXTURE_DIR, `${name}.safetensors`));
  const pick = (prefix: string) => {
    const out = new Map<string, HostTensor>();
    for (const [k, t] of tensors) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), convert(t, dtype));
    return out;
  };
  return {
    meta: JSON.parse(metadata.fixture),
    params: pick('param.'),
    grads: pick('grad.'),
    batch: Object.fromEntries(pick('batch.')),
  };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let k = 0; k < x.length; k++) m = Math.max(m, Math.abs(x[k]));
  return m;
}

/**
 * max |a − b| / scale, scale = max |b| (the reference tensor's own scale), or `floor` when larger.
 */
export function scaledMaxError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 0): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  let diff = 0;
  for (let k = 0; k < expected.length; k++) diff = Math.max(diff, Math.abs(actual[k] - expected[k]));
  return diff / Math.max(maxAbs(expected), floor);
}

export const relError = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

export interface GradientReport {
  lossError: number;
  /** Worst gradient tensor. */
  gradError: number;
  worstGrad: string;
}

/** Runs loss + gradients of every parameter once (evaluation graph) and compares with the fixture. */
export async function compareGradients(build: ModelBuilder, fx: TorchFixture): Promise<GradientReport> {
  const model = build({ train: false });
  const g = model.graph;
  const names = model.params.map((p) => p.value.name);
  const missing = fx.meta.param_names.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !fx.meta.param_names.includes(n));
  if (missing.length + extra.length > 0) throw new Error(`parameter sets differ: missing ${missing}, extra ${extra}`);
  const grads = grad(
    model.loss,
    model.params.map((p) => p.value),
  );
  g.output(model.loss, 'loss');
  grads.forEach((d, k) => {
    if (!d) throw new Error(`no gradient for ${names[k]}`);
    g.output(d, `grad.${names[k]}`);
  });
  const session = await GraphSession.create(g, { providers: ['cpu'] });
  try {
    const out = await session.run({ ...fx.batch, ...Object.fromEntries(fx.params) });
    const report: GradientReport = {
      lossError: relError(Number(out.loss.data[0]), fx.meta.loss),
      gradError: 0,
      worstGrad: '',
    };
    // A gradient that is zero in exact arithmetic (below 1e-9 of the largest in the float64
    // reference) holds only rounding noise: it is measured against the largest gradient instead.
    const largest = Math.max(...names.map((n) => maxAbs(fx.grads.get(n)!.data as Float64Array)));
    for (const n of names) {
      const expected = fx.grads.get(n)!.data as Float64Array;
      const floor = maxAbs(expected) < 1e-9 * largest ? largest : 0;
      const e = scaledMaxError(out[`grad.${n}`].data as Float64Array, expected, floor);
      if (e > report.gradError || report.worstGrad === '') Object.assign(report, { gradError: e, worstGrad: n });
    }
    return report;
  } finally {
    await session.release();
  }
}

/** Trains on the fixture's batch with its AdamW settings; the loss before each step. */
export async function adamwCurve(
  build: ModelBuilder,
  fx: TorchFixture,
): Promise<{ loss: number[]; gradNorm: number[] }> {
  const o = fx.meta.optimizer;
  const ts = await TrainStep.create(
    build,
    {
      optimizer: { kind: 'adamw', beta1: o.betas[0], beta2: o.betas[1], eps: o.eps },
      maxGradNorm: o.max_grad_norm,
      accumulation: 1,
      session: { providers: ['cpu'] },
    },
    fx.params,
  );
  try {
    const loss: number[] = [];
    const gradNorm: number[] = [];
    for (let s = 0; s < fx.meta.curve.loss.length; s++) {
      const r = await ts.step([fx.batch], s, { decay: o.lr, no_decay: o.lr });
      loss.push(r.loss);
      gradNorm.push(r.gradNorm);
    }
    return { loss, gradNorm };
  } finally {
    await ts.release();
  }
}

/** Largest per-step relative error of a curve. */
export function curveError(actual: number[], expected: number[]): { error: number; step: number } {
  let worst = { error: 0, step: 0 };
  actual.forEach((a, k) => {
    const e = relError(a, expected[k]);
    if (e > worst.error) worst = { error: e, step: k };
  });
  return worst;
}

/** Parity bounds: loss and gradients within 1e-5 relative; loss curves within 1e-4 (float64) / 1e-3 (float32). */
export const TORCH_TOLERANCE = {
  float64: { grad: 1e-5, curve: 1e-4 },
  float32: { grad: 1e-5, curve: 1e-3 },
};

/** The whole parity check of one fixture at one precision: loss, every gradient, the AdamW curve. */
export async function expectTorchParity(
  fixture: string,
  dtype: FloatDType,
  builder: (fx: TorchFixture, dtype: FloatDType) => ModelBuilder,
): Promise<void> {
  const fx = await loadTorchFixture(fixture, dtype);
  const g = await compareGradients(builder(fx, dtype), fx);
  const curve = await adamwCurve(builder(fx, dtype), fx);
  const lossCurve = curveError(curve.loss, fx.meta.curve.loss);
  const normCurve = curveError(curve.gradNorm, fx.meta.curve.grad_norm);
  console.log(
    `${fixture} ${dtype} (torch ${fx.meta.torch}): loss ${g.lossError.toExponential(2)}, ` +
      `grads ${g.gradError.toExponential(2)} (${g.worstGrad}), ` +
      `curve ${lossCurve.error.toExponential(2)} @${lossCurve.step}, grad norms ${normCurve.error.toExponential(2)}`,
  );
  const tol = TORCH_TOLERANCE[dtype];
  expect(g.lossError).toBeLessThan(tol.grad);
  expect(g.gradError).toBeLessThan(tol.grad);
  expect(lossCurve.error).toBeLessThan(tol.curve);
  // Pre-clip gradient norms (clipping engages early on): float64 only, float32 norms of converged
  // steps are rounding-dominated.
  if (dtype === 'float64') expect(normCurve.error).toBeLessThan(TORCH_TOLERANCE.float64.curve);
}
