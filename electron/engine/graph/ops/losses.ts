/**
 * Losses with fused backward rules: softmax cross-entropy with an ignore index (mean over the
 * counted targets) and binary cross-entropy with logits (mean, optional per-element weights).
 */
import type { Composite, Value } from '../graph.ts';
import { abs, add, cast, div, equal, exp, log, mul, neg, not, relu, sigmoid, sub, where } from './elementwise.ts';
import { reduceSum } from './reduce.ts';
import { reshape } from './shape.ts';

/**
 * Mean cross-entropy of `logits` [N, V] against int64 `labels` [N]; labels equal to `ignoreIndex`
 * count neither in the sum nor in the mean. Returns a scalar.
 */
export function softmaxCrossEntropy(logits: Value, labels: Value, ignoreIndex = -100): Value {
  const g = logits.graph;
  const dt = logits.dtype;
  return g.composite(
    'SoftmaxCrossEntropy',
    [logits, labels],
    () => {
      const [loss, logProb] = g.node(
        'SoftmaxCrossEntropyLoss',
        [logits, labels],
        [
          { dtype: dt, shape: [], name: 'ce_loss' },
          { dtype: dt, shape: logits.shape, name: 'ce_logprob' },
        ],
        { ignore_index: ignoreIndex, reduction: 'mean' },
      );
      return { outputs: [loss], saved: { logProb } };
    },
    (c, [dy]) => {
      // d/dlogits = (softmax − onehot)·valid / count
      const ignored = equal(labels, g.constant(BigInt64Array.from([BigInt(ignoreIndex)]), 'int64', [], 'ignore_index'));
      const valid = cast(not(ignored), dt);
      const safe = where(ignored, g.constant(BigInt64Array.from([0n]), 'int64', [], 'zero_label'), labels);
      const depth = logits.shape[logits.shape.length - 1];
      const oh = g.node(
        'OneHot',
        [
          safe,
          g.ints([depth as number], 'depth'),
          g.constant(dt === 'float64' ? Float64Array.of(0, 1) : Float32Array.of(0, 1), dt, [2], 'onehot'),
        ],
        [{ dtype: dt, shape: logits.shape }],
        { axis: -1 },
      )[0];
      const count = add(relu(sub(reduceSum(valid, [0]), 1)), 1); // max(count, 1)
      const scale = div(dy!, count);
      const probs = exp((c as Composite).saved.logProb);
      const validCol = reshape(valid, [valid.shape[0], 1]);
      return [mul(mul(sub(probs, oh), validCol), scale), null];
    },
  )[0];
}

/**
 * Mean binary cross-entropy with logits: max(x,0) − x·y + log(1 + e^−|x|), weighted by `weights`
 * when given (mean over Σweights then); `targets` are floats in [0, 1].
 */
export function bceWithLogits(logits: Value, targets: Value, weights: Value | null = null): Value {
  const g = logits.graph;
  const inputs = weights ? [logits, targets, weights] : [logits, targets];
  return g.composite(
    'BCEWithLogits',
    inputs,
    () => {
      const per = add(sub(relu(logits), mul(logits, targets)), log(add(exp(neg(abs(logits))), 1)));
      const axes = logits.shape.map((_, k) => k);
      const denom = weights ? reduceSum(weights, axes) : null;
      const total = weights ? reduceSum(mul(per, weights), axes) : reduceSum(per, axes);
      const count = numelOf(logits);
      const loss = denom ? div(total, denom) : div(total, count);
      const saved: Record<string, Value> = denom ? { denom } : {};
      return { outputs: [loss], saved };
    },
    (c, [dy]) => {
      // d/dx = (σ(x) − y)·w / Σw   (w = 1, Σw = N without weights)
      const diff = sub(sigmoid(logits), targets);
      const denom = (c as Composite).saved.denom;
      const d = weights ? div(mul(diff, weights), denom) : div(diff, numelOf(logits));
      return weights ? [mul(d, dy!), null, null] : [mul(d, dy!), null];
    },
  )[0];
}

/** Element count as a float scalar value (static shapes fold to a constant). */
function numelOf(x: Value): Value | number {
  if (x.shape.every((d) => typeof d === 'number')) return (x.shape as number[]).reduce((p, d) => p * d, 1);
  const g = x.graph;
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  const n = g.node('ReduceProd', [shape], [{ dtype: 'int64', shape: [] }], { keepdims: 0 })[0];
  return cast(n, x.dtype);
}
