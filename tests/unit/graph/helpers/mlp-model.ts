/** A small MLP classifier with dropout, deterministic data and init: the model the trainer tests use. */
import { Graph, type HostTensor } from '../../../../electron/engine/graph/graph.ts';
import * as op from '../../../../electron/engine/graph/ops/index.ts';
import type { ModelBuilder } from '../../../../electron/engine/graph/train-step.ts';
import { Rng } from '../../../../electron/engine/random.ts';

export const MLP = { inputs: 6, hidden: 16, classes: 3, batch: 8 };

export const buildMlp: ModelBuilder = ({ train }) => {
  const g = new Graph('mlp');
  const x = g.input('x', 'float32', ['B', MLP.inputs]);
  const y = g.input('y', 'int64', ['B']);
  const seed = train ? g.input('dropout_seed', 'float32', []) : null;
  const w1 = g.input('fc1.weight', 'float32', [MLP.inputs, MLP.hidden]);
  const b1 = g.input('fc1.bias', 'float32', [MLP.hidden]);
  const w2 = g.input('fc2.weight', 'float32', [MLP.hidden, MLP.classes]);
  const h = op.dropout(op.gelu(op.add(op.matmul(x, w1), b1), 'tanh'), 0.2, seed, 0);
  const loss = op.softmaxCrossEntropy(op.matmul(h, w2), y);
  const decay = { name: 'decay', weightDecay: 0.01 };
  const noDecay = { name: 'no_decay', weightDecay: 0 };
  return {
    graph: g,
    loss,
    params: [
      { value: w1, group: decay },
      { value: b1, group: noDecay },
      { value: w2, group: decay },
    ],
  };
};

export function mlpInit(seed = 1): Map<string, HostTensor> {
  const r = new Rng(seed);
  const t = (dims: number[], std: number): HostTensor => ({
    dtype: 'float32',
    dims,
    data: Float32Array.from({ length: dims.reduce((p, d) => p * d, 1) }, () => r.normal() * std),
  });
  return new Map([
    ['fc1.weight', t([MLP.inputs, MLP.hidden], 0.5)],
    ['fc1.bias', t([MLP.hidden], 0)],
    ['fc2.weight', t([MLP.hidden, MLP.classes], 0.5)],
  ]);
}

/** Batch of optimizer step `step`: a pure function of the step (what exact resume needs). */
export function mlpBatch(step: number): Record<string, HostTensor> {
  const r = new Rng(1000 + step);
  const x = Float32Array.from({ length: MLP.batch * MLP.inputs }, () => r.normal());
  const y = BigInt64Array.from({ length: MLP.batch }, (_, k) =>
    BigInt((x[k * MLP.inputs] > 0 ? 1 : 0) + (x[k * MLP.inputs + 1] > 0.5 ? 1 : 0)),
  );
  return {
    x: { dtype: 'float32', dims: [MLP.batch, MLP.inputs], data: x },
    y: { dtype: 'int64', dims: [MLP.batch], data: y },
  };
}
