/** Autodiff behaviour across ops: symbolic batch dims, unused parameters, fan-out, integer branches. */
import { describe, expect, it } from 'vitest';
import { grad } from '../../../electron/engine/graph/autodiff.ts';
import { type Dim, Graph, type HostTensor, type Value } from '../../../electron/engine/graph/graph.ts';
import * as op from '../../../electron/engine/graph/ops/index.ts';
import { GraphSession } from '../../../electron/engine/graph/session.ts';
import { Rng } from '../../../electron/engine/random.ts';
import { centralDifferences, expectGradient, f64, i64 } from './gradcheck.ts';

const PARAMS = ['table', 'w', 'b'] as const;

/**
 * A small model over a batch of id sequences ids [B, 3]: embedding [6, 4] → linear [4, 2] + bias →
 * tanh, loss = mean(h²) + BCE(h, targets) + mean over the batch of max_t h. B static or symbolic.
 */
function buildModel(batch: Dim): { graph: Graph; loss: Value; grads: (Value | null)[] } {
  const g = new Graph(`symbolic_${batch}`);
  const ids = g.input('ids', 'int64', [batch, 3]);
  const targets = g.input('targets', 'float64', [batch, 3, 2]);
  const [table, w, b] = [
    g.input('table', 'float64', [6, 4]),
    g.input('w', 'float64', [4, 2]),
    g.input('b', 'float64', [2]),
  ];
  const h = op.tanh(op.add(op.matmul(op.gather(table, ids), w), b)); // [B, 3, 2]
  const peak = op.reduceMean(op.reduceMax(h, [1]), [0, 1]);
  const loss = op.add(op.add(op.reduceMean(op.mul(h, h), [0, 1, 2]), op.bceWithLogits(h, targets)), peak);
  const grads = grad(loss, [table, w, b]);
  g.output(loss, 'loss');
  grads.forEach((d, k) => {
    g.output(d!, `grad_${PARAMS[k]}`);
  });
  return { graph: g, loss, grads };
}

function feedsFor(batch: number, rng: Rng): Record<string, HostTensor> {
  const normal = (n: number) => Array.from({ length: n }, () => rng.normal());
  return {
    ids: i64(
      [batch, 3],
      Array.from({ length: batch * 3 }, () => rng.int(6)),
    ),
    targets: f64(
      [batch, 3, 2],
      Array.from({ length: batch * 6 }, () => rng.next()),
    ),
    table: f64([6, 4], normal(24)),
    w: f64([4, 2], normal(8)),
    b: f64([2], normal(2)),
  };
}

describe('symbolic batch dim', () => {
  it('one session runs forward and backward at batch 2 and 5', async () => {
    const model = buildModel('B');
    expect(model.grads.every((d) => d !== null)).toBe(true);
    const session = await GraphSession.create(model.graph, { providers: ['cpu'], threads: 1 });
    const rng = new Rng(3);
    for (const batch of [2, 5]) {
      const feeds = feedsFor(batch, rng);
      const out = await session.run(feeds);
      // The same model built with a static batch gives the same loss and gradients.
      const fixed = await GraphSession.create(buildModel(batch).graph, { providers: ['cpu'], threads: 1 });
      const ref = await fixed.run(feeds);
      await fixed.release();
      expect(Number(out.loss.data[0])).toBeCloseTo(Number(ref.loss.data[0]), 12);
      const lossAt = async () => Number((await session.run(feeds)).loss.data[0]);
      for (const p of PARAMS) {
        const analytic = out[`grad_${p}`].data as Float64Array;
        expect(out[`grad_${p}`].dims).toEqual(feeds[p].dims);
        const numeric = await centralDifferences(lossAt, feeds[p].data as Float64Array, 1e-6);
        const scale = Math.max(1, ...numeric.map(Math.abs));
        const worst = Math.max(...numeric.map((v, k) => Math.abs(v - analytic[k]) / scale));
        expect(worst, `${p} at batch ${batch}`).toBeLessThan(1e-6);
        (ref[`grad_${p}`].data as Float64Array).forEach((v, k) => {
          expect(analytic[k]).toBeCloseTo(v, 12);
        });
      }
    }
    await session.release();
  });
});

describe('autodiff', () => {
  it('gives null for parameters the loss does not depend on', () => {
    const g = new Graph('unused');
    const x = g.input('x', 'float32', [2, 3]);
    const w = g.input('w', 'float32', [3]);
    const unused = g.input('unused', 'float32', [3]);
    const elsewhere = g.input('elsewhere', 'float32', [3]);
    g.output(op.mul(x, elsewhere), 'side'); // used by another output, not by the loss
    const loss = op.reduceSum(op.mul(x, w), [0, 1]);
    const [dw, dUnused, dElsewhere] = grad(loss, [w, unused, elsewhere]);
    expect(dw).not.toBeNull();
    expect(dUnused).toBeNull();
    expect(dElsewhere).toBeNull();
    expect(grad(op.reduceSum(x, [0, 1]), [w])).toEqual([null]);
  });

  it('sums the contributions of a value used more than once', async () => {
    const x = [{ name: 'x', dims: [2, 3] }];
    await expectGradient('fan-out x·tanh(x)', x, (v) => op.mul(op.tanh(v), v));
    await expectGradient('fan-out diamond', x, (v) => {
      const a = op.exp(v);
      return op.add(op.mul(a, a), op.sub(a, op.sigmoid(a)));
    });
    // Without accumulation the gradient of Σ (x + x)·R would be R instead of 2R.
    await expectGradient('fan-out x+x', x, (v) => op.add(v, v));
  });

  it('sends no gradient through integer branches (Shape, Equal, Greater)', async () => {
    const x = [{ name: 'x', dims: [2, 3], margin: 0.05 }];
    // Reshape to a shape computed at run time.
    await expectGradient('Shape branch', x, (v) => {
      const shape = v.graph.node('Shape', [v], [{ dtype: 'int64', shape: [2] }])[0];
      return v.graph.node('Reshape', [op.exp(op.reshape(v, [3, 2])), shape], [{ dtype: v.dtype, shape: v.shape }])[0];
    });
    // A mask computed from x itself (relu by hand) and a comparison feeding Where.
    await expectGradient('Greater branch', x, (v) => op.mul(v, op.cast(op.greater(v, 0), 'float64')));
    await expectGradient('Equal branch', x, (v) => op.where(op.equal(v, v), op.exp(v), 0));
  });
});
