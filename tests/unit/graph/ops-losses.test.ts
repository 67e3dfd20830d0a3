/** Losses (values against hand computations, gradients against finite differences) and seeded dropout. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import { Graph, type Value } from '../../../electron/engine/graph/graph.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { causalLmLoss } from '../../../electron/engine/models/llama.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { evalGraph, expectGradient, f32, f64, type GradInput, i64 } from './gradcheck.ts';

const rng = new Rng(7);
const randn = (n: number) => Array.from({ length: n }, () => rng.normal() * 2);

describe('softmaxCrossEntropy', () => {
  const labels = [2, -100, 0, 3, -100];
  const labelInput: GradInput = {
    name: 'labels',
    dims: [5],
    dtype: 'int64',
    data: BigInt64Array.from(labels.map(BigInt)),
    differentiable: false,
  };
  it('gradient with ignored labels (float64 and float32)', async () => {
    const f = (x: Value, y: Value) => op.softmaxCrossEntropy(x, y);
    await expectGradient('SCE', [{ name: 'logits', dims: [5, 4] }, labelInput], f);
    await expectGradient('SCE f32', [{ name: 'logits', dims: [5, 4] }, labelInput], f, { dtype: 'float32' });
  });
  it('value is the mean −log softmax over the counted labels', async () => {
    const logits = randn(20);
    const out = await evalGraph(
      (g) => ({
        loss: op.softmaxCrossEntropy(g.input('logits', 'float64', [5, 4]), g.input('labels', 'int64', [5])),
      }),
      { logits: f64([5, 4], logits), labels: i64([5], labels) },
    );
    let total = 0;
    let count = 0;
    labels.forEach((y, n) => {
      if (y === -100) return;
      const row = logits.slice(n * 4, n * 4 + 4);
      const lse = Math.log(row.reduce((s, v) => s + Math.exp(v), 0));
      total += lse - row[y];
      count++;
    });
    expect(Number(out.loss.data[0])).toBeCloseTo(total / count, 12);
  });
});

describe('weightedSoftmaxCrossEntropy', () => {
  const labels = [2, -100, 0, 3, -100];
  const weights = [0.5, 7, 0.25, 0.125, 3]; // rows 1 and 4 are ignored: their weights must not count
  const fixedInputs: GradInput[] = [
    { name: 'labels', dims: [5], dtype: 'int64', data: BigInt64Array.from(labels.map(BigInt)), differentiable: false },
    { name: 'w', dims: [5], data: Float64Array.from(weights), differentiable: false },
  ];
  it('gradient with ignored labels (float64 and float32)', async () => {
    const f = (x: Value, y: Value, w: Value) => op.weightedSoftmaxCrossEntropy(x, y, w);
    await expectGradient('WSCE', [{ name: 'logits', dims: [5, 4] }, ...fixedInputs], f);
    await expectGradient('WSCE f32', [{ name: 'logits', dims: [5, 4] }, ...fixedInputs], f, { dtype: 'float32' });
  });
  it('value is Σ w·(−log softmax) over the counted labels; w = 1/count gives the plain mean', async () => {
    const logits = randn(20);
    const run = (w: number[]) =>
      evalGraph(
        (g) => {
          const [x, y] = [g.input('logits', 'float64', [5, 4]), g.input('labels', 'int64', [5])];
          return {
            loss: op.weightedSoftmaxCrossEntropy(x, y, g.input('w', 'float64', [5])),
            mean: op.softmaxCrossEntropy(x, y),
          };
        },
        { logits: f64([5, 4], logits), labels: i64([5], labels), w: f64([5], w) },
      );
    let want = 0;
    labels.forEach((y, n) => {
      if (y === -100) return;
      const row = logits.slice(n * 4, n * 4 + 4);
      want += weights[n] * (Math.log(row.reduce((s, v) => s + Math.exp(v), 0)) - row[y]);
    });
    expect(Number((await run(weights)).loss.data[0])).toBeCloseTo(want, 12);
    const third = await run([1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
    expect(Number(third.loss.data[0])).toBeCloseTo(Number(third.mean.data[0]), 12);
  });
});

describe('causalLmLoss with per-token weights', () => {
  it('weighs position t by the weight of label t+1; weights 1/count give the plain mean', async () => {
    const [B, T, V] = [2, 4, 5];
    const logits = randn(B * T * V);
    const labels = [-100, 3, 1, -100, -100, -100, 4, 2]; // example 0: 2 targets, example 1: 2 targets
    const run = (w: number[]) =>
      evalGraph(
        (g) => {
          const [x, y] = [g.input('logits', 'float64', [B, T, V]), g.input('labels', 'int64', [B, T])];
          return {
            weighted: causalLmLoss(x, y, -100, g.input('w', 'float64', [B, T])),
            mean: causalLmLoss(x, y),
          };
        },
        { logits: f64([B, T, V], logits), labels: i64([B, T], labels), w: f64([B, T], w) },
      );
    const uniform = await run(labels.map((l) => (l === -100 ? 0 : 1 / 4)));
    expect(Number(uniform.weighted.data[0])).toBeCloseTo(Number(uniform.mean.data[0]), 12);
    // Only label (b, 2) counts: position (b, 1) is scored against it.
    const ce = (b: number, t: number, y: number) => {
      const row = logits.slice((b * T + t) * V, (b * T + t + 1) * V);
      return Math.log(row.reduce((a, v) => a + Math.exp(v), 0)) - row[y];
    };
    const only = await run([0, 0, 1, 0, 0, 0, 0, 0]);
    expect(Number(only.weighted.data[0])).toBeCloseTo(ce(0, 1, 1), 12);
  });
});

describe('bceWithLogits', () => {
  const targets = [1, 0, 0.3, 1, 0, 0.8];
  const weights = [1, 0.5, 2, 0, 1.5, 1];
  const fixed = (name: string, data: number[]): GradInput => ({
    name,
    dims: [2, 3],
    data: Float64Array.from(data),
    differentiable: false,
  });
  it('gradient without and with weights', async () => {
    const logits = { name: 'logits', dims: [2, 3] };
    await expectGradient('BCE', [logits, fixed('t', targets)], (x, t) => op.bceWithLogits(x, t));
    await expectGradient('BCE weighted', [logits, fixed('t', targets), fixed('w', weights)], (x, t, w) =>
      op.bceWithLogits(x, t, w),
    );
    await expectGradient('BCE f32', [logits, fixed('t', targets)], (x, t) => op.bceWithLogits(x, t), {
      dtype: 'float32',
    });
  });
  it('gradient with respect to soft targets and weights (weights broadcast over rows)', async () => {
    const soft = (name: string, dims: number[]): GradInput => ({ name, dims, positive: 0.1 });
    const logits = { name: 'logits', dims: [2, 3] };
    await expectGradient('BCE d targets', [logits, soft('t', [2, 3])], (x, t) => op.bceWithLogits(x, t));
    await expectGradient('BCE d weights', [logits, soft('t', [2, 3]), soft('w', [3])], (x, t, w) =>
      op.bceWithLogits(x, t, w),
    );
  });
  it('value matches −[y·log σ(x) + (1−y)·log(1−σ(x))], plain and weighted means', async () => {
    const logits = [0.3, -2, 5, -40, 1.2, 30];
    const out = await evalGraph(
      (g) => {
        const [x, t, w] = ['x', 't', 'w'].map((n) => g.input(n, 'float64', [2, 3]));
        const column = g.input('column', 'float64', [2, 1]);
        return {
          plain: op.bceWithLogits(x, t),
          weighted: op.bceWithLogits(x, t, w),
          rows: op.bceWithLogits(x, t, column),
        };
      },
      { x: f64([2, 3], logits), t: f64([2, 3], targets), w: f64([2, 3], weights), column: f64([2, 1], [0.5, 2]) },
    );
    // log σ(x) = −log(1 + e^−x), written stably for large |x|.
    const logSig = (x: number) => -(Math.max(-x, 0) + Math.log1p(Math.exp(-Math.abs(x))));
    const per = logits.map((x, k) => -(targets[k] * logSig(x) + (1 - targets[k]) * logSig(-x)));
    const mean = per.reduce((s, v) => s + v, 0) / per.length;
    const wsum = weights.reduce((s, v) => s + v, 0);
    const wmean = per.reduce((s, v, k) => s + v * weights[k], 0) / wsum;
    expect(Number(out.plain.data[0])).toBeCloseTo(mean, 12);
    expect(Number(out.weighted.data[0])).toBeCloseTo(wmean, 12);
    // A [2, 1] weight covers its row's 3 elements: Σw = 3·(0.5 + 2).
    const rows = per.reduce((s, v, k) => s + v * (k < 3 ? 0.5 : 2), 0) / 7.5;
    expect(Number(out.rows.data[0])).toBeCloseTo(rows, 12);
  });
});

describe('dropout', () => {
  const N = 10_000;
  const p = 0.3;
  async function run(seed: number, site = 0, x = new Array(N).fill(1), r = new Array(N).fill(0)) {
    const out = await evalGraph(
      (g) => {
        const xv = g.input('x', 'float32', [N]);
        const rv = g.input('r', 'float32', [N]);
        const y = op.dropout(xv, p, g.input('seed', 'float32', []), site);
        const [dx] = grad(op.reduceSum(op.mul(y, rv), [0]), [xv]);
        return { y, dx: dx! };
      },
      { x: f32([N], x), r: f32([N], r), seed: f32([], [seed]) },
    );
    return { y: out.y.data as Float32Array, dx: out.dx.data as Float32Array };
  }
  it('same seed gives the same mask; another seed or site a different one', async () => {
    const a = await run(12345);
    expect(Array.from((await run(12345)).y)).toEqual(Array.from(a.y));
    const differs = (b: Float32Array) => b.reduce((c, v, k) => c + (v !== a.y[k] ? 1 : 0), 0);
    expect(differs((await run(12346)).y)).toBeGreaterThan(N * 0.3);
    expect(differs((await run(12345, 1)).y)).toBeGreaterThan(N * 0.3);
  });
  it('keeps 1−p of the elements, scaled by 1/(1−p)', async () => {
    for (const seed of [1, 987654]) {
      const { y } = await run(seed);
      const kept = y.filter((v) => v !== 0);
      expect(Math.abs(kept.length / N - (1 - p))).toBeLessThan(0.03);
      for (const v of kept) expect(v).toBeCloseTo(1 / (1 - p), 5);
    }
  });
  it('stays random past 2^24 elements (where a float32 element counter stops counting)', async () => {
    const big = 2 ** 24 + 4096;
    const out = await evalGraph(
      (g) => ({ y: op.dropout(g.input('x', 'float32', [big]), p, g.input('seed', 'float32', []), 0) }),
      { x: { dtype: 'float32', dims: [big], data: new Float32Array(big).fill(1) }, seed: f32([], [5]) },
    );
    const tail = (out.y.data as Float32Array).subarray(big - 4096);
    const kept = tail.filter((v) => v !== 0).length / tail.length;
    expect(Math.abs(kept - (1 - p))).toBeLessThan(0.03);
  }, 30_000);
  it('gradient of Σ y·R is mask·R/(1−p)', async () => {
    const x = randn(N);
    const r = randn(N);
    const { y, dx } = await run(42, 0, x, r);
    let worst = 0;
    for (let k = 0; k < N; k++) {
      const mask = y[k] !== 0 ? 1 : 0;
      worst = Math.max(worst, Math.abs(y[k] - (mask * Math.fround(x[k])) / (1 - p)));
      worst = Math.max(worst, Math.abs(dx[k] - (mask * Math.fround(r[k])) / (1 - p)));
    }
    expect(worst).toBeLessThan(1e-5);
  });
  it('is the identity when p = 0 or without a seed', () => {
    const g = new Graph('dropout-identity');
    const x = g.input('x', 'float32', [4]);
    const seed = g.input('seed', 'float32', []);
    expect(op.dropout(x, 0, seed, 0)).toBe(x);
    expect(op.dropout(x, 0.5, null, 0)).toBe(x);
  });
});
