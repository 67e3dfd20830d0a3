import { describe, expect, it } from 'vitest';
import { Graph, type HostTensor } from '../../../electron/engine/graph/graph.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { type Feeds, TrainStep } from '../../../electron/engine/graph/train-step.ts';
import { Rng } from '../../../electron/engine/random.ts';

// A two-layer model h = x·W1, loss = CE(tanh(h)·W2). In the reference W1 lives in the graph; in the
// external version the host computes h and turns the graph's d loss/d h into W1's gradient (xᵀ·dh).
const [N, I, H, C] = [6, 4, 5, 3];
const rng = new Rng(9);
const rand = (n: number, s = 0.5) => Float32Array.from({ length: n }, () => rng.normal() * s);
const x = rand(N * I, 1);
const labels = BigInt64Array.from({ length: N }, (_, k) => BigInt(k % C));
const init = new Map<string, HostTensor>([
  ['w1', { dtype: 'float32', dims: [I, H], data: rand(I * H) }],
  ['w2', { dtype: 'float32', dims: [H, C], data: rand(H * C) }],
]);
const g1 = { name: 'first', weightDecay: 0.01 };
const g2 = { name: 'second', weightDecay: 0.01 };

function hostMatmul(a: Float32Array, b: Float32Array, n: number, k: number, m: number, transA = false): Float32Array {
  const out = new Float32Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let t = 0; t < k; t++) s += (transA ? a[t * n + i] : a[i * k + t]) * b[t * m + j];
      out[i * m + j] = s;
    }
  return out;
}

describe('TrainStep with external parameters', () => {
  it('trains exactly like the same model with every parameter in the graph', async () => {
    const inGraph = await TrainStep.create(
      () => {
        const g = new Graph('ref');
        const xi = g.input('x', 'float32', [N, I]);
        const y = g.input('y', 'int64', [N]);
        const w1 = g.input('w1', 'float32', [I, H]);
        const w2 = g.input('w2', 'float32', [H, C]);
        const loss = op.softmaxCrossEntropy(op.matmul(op.tanh(op.matmul(xi, w1)), w2), y);
        return {
          graph: g,
          loss,
          params: [
            { value: w1, group: g1 },
            { value: w2, group: g2 },
          ],
        };
      },
      { optimizer: { kind: 'adamw' }, maxGradNorm: 1, accumulation: 1 },
      init,
    );
    const external = await TrainStep.create(
      () => {
        const g = new Graph('ext');
        const h = g.input('h', 'float32', [N, H]);
        const y = g.input('y', 'int64', [N]);
        const w2 = g.input('w2', 'float32', [H, C]);
        const loss = op.softmaxCrossEntropy(op.matmul(op.tanh(h), w2), y);
        return { graph: g, loss, params: [{ value: w2, group: g2 }], gradInputs: [h] };
      },
      {
        optimizer: { kind: 'adamw' },
        maxGradNorm: 1,
        accumulation: 1,
        external: [{ name: 'w1', dims: [I, H], group: g1 }],
      },
      init,
    );
    const yFeed: HostTensor = { dtype: 'int64', dims: [N], data: labels };
    const lr = { first: 0.05, second: 0.05 };
    for (let s = 0; s < 8; s++) {
      const a = await inGraph.step([{ x: { dtype: 'float32', dims: [N, I], data: x }, y: yFeed }], s, lr);
      const w1 = external.params.get('w1')!.data as Float32Array;
      const h = hostMatmul(x, w1, N, I, H);
      const b = await external.step(
        [{ h: { dtype: 'float32', dims: [N, H], data: h }, y: yFeed }],
        s,
        lr,
        (_k, out: Feeds) => {
          const dh = out['grad.h'].data as Float32Array;
          return new Map([['w1', hostMatmul(x, dh, I, N, H, true)]]);
        },
      );
      expect(b.loss).toBeCloseTo(a.loss, 5);
      expect(b.gradNorm).toBeCloseTo(a.gradNorm, 5);
    }
    for (const name of ['w1', 'w2']) {
      const ra = inGraph.params.get(name)!.data as Float32Array;
      const rb = external.params.get(name)!.data as Float32Array;
      for (let i = 0; i < ra.length; i++) expect(rb[i]).toBeCloseTo(ra[i], 5);
    }
  });

  it('refuses an external parameter in a group the graph uses, and a step without its gradients', async () => {
    const build = () => {
      const g = new Graph('bad');
      const h = g.input('h', 'float32', [N, H]);
      const w2 = g.input('w2', 'float32', [H, C]);
      return {
        graph: g,
        loss: op.reduceSum(op.matmul(h, w2), [0, 1]),
        params: [{ value: w2, group: g2 }],
        gradInputs: [h],
      };
    };
    const cfg = { optimizer: { kind: 'sgd' as const }, maxGradNorm: 0, accumulation: 1 };
    await expect(
      TrainStep.create(build, { ...cfg, external: [{ name: 'w1', dims: [I, H], group: g2 }] }, init),
    ).rejects.toThrow(/group second is used by graph parameters/);
    const ts = await TrainStep.create(build, { ...cfg, external: [{ name: 'w1', dims: [I, H], group: g1 }] }, init);
    await expect(
      ts.step([{ h: { dtype: 'float32', dims: [N, H], data: new Float32Array(N * H) } }], 0, { first: 1, second: 1 }),
    ).rejects.toThrow(/pass their gradients/);
  });
});
