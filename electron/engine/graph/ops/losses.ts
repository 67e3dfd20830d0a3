/**
 * Losses with fused backward rules: softmax cross-entropy with an ignore index (mean over the
 * counted targets) and binary cross-entropy with logits (mean, optional per-element weights).
 */
import { reduceToShape } from '../gradients.ts';
import type { Composite, Value } from '../graph.ts';
import { abs, add, cast, div, equal, exp, log, mul, neg, not, relu, sigmoid, sub, where } from './elementwise.ts';
import { reduceSum } from './reduce.ts';
import { reshape } from './shape.ts';

/** Which rows count (label ≠ ignoreIndex): `ignored` (bool [N]) and `valid` (0/1 in the logits' dtype). */
function countedRows(labels: Value, ignoreIndex: number, dt: Value['dtype']): { ignored: Value; valid: Value } {
  const g = labels.graph;
  const ignored = equal(labels, g.constant(BigInt64Array.from([BigInt(ignoreIndex)]), 'int64', [], 'ignore_index'));
  return { ignored, valid: cast(not(ignored), dt) };
}

/**
 * (softmax − onehot)·valid per row, from the forward's log-probabilities [N, V]: the −1 at each label
 * is scattered into the probabilities (ignored rows add 0), so no [N, V] one-hot is built (3
 * full-size passes, not 5). Callers scale rows by their share of the loss.
 */
function softmaxMinusOneHot(logProb: Value, labels: Value, counted: { ignored: Value; valid: Value }): Value {
  const g = logProb.graph;
  const { ignored, valid } = counted;
  const safe = where(ignored, g.constant(BigInt64Array.from([0n]), 'int64', [], 'zero_label'), labels);
  const minusOne = reshape(neg(valid), [valid.shape[0], 1]);
  return g.node(
    'ScatterElements',
    [exp(logProb), reshape(safe, [safe.shape[0], 1]), minusOne],
    [{ dtype: logProb.dtype, shape: logProb.shape }],
    { axis: 1, reduction: 'add' },
  )[0];
}

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
      const counted = countedRows(labels, ignoreIndex, dt);
      const count = add(relu(sub(reduceSum(counted.valid, [0]), 1)), 1); // max(count, 1)
      const rowScale = mul(reshape(counted.valid, [counted.valid.shape[0], 1]), div(dy!, count)); // [N, 1]
      const shifted = softmaxMinusOneHot((c as Composite).saved.logProb, labels, counted);
      return [mul(shifted, rowScale), null];
    },
  )[0];
}

/**
 * Weighted sum of cross-entropies: Σₙ wₙ·(−log softmax(logitsₙ)[labelsₙ]) over rows whose label is
 * not `ignoreIndex` (ignored rows add nothing whatever their weight). `weights` [N] are data, not
 * differentiated. With wₙ = 1/count this is `softmaxCrossEntropy`; the alignment trainer uses
 * wₙ = 1/(examples · answer tokens of n's example) so each example weighs the same.
 */
export function weightedSoftmaxCrossEntropy(logits: Value, labels: Value, weights: Value, ignoreIndex = -100): Value {
  const g = logits.graph;
  const dt = logits.dtype;
  return g.composite(
    'WeightedSoftmaxCrossEntropy',
    [logits, labels, weights],
    () => {
      const [perRow, logProb] = g.node(
        'SoftmaxCrossEntropyLoss',
        [logits, labels],
        [
          { dtype: dt, shape: [logits.shape[0]], name: 'wce_rows' },
          { dtype: dt, shape: logits.shape, name: 'wce_logprob' },
        ],
        { ignore_index: ignoreIndex, reduction: 'none' },
      ); // ignored rows are 0
      const { valid } = countedRows(labels, ignoreIndex, dt);
      return { outputs: [reduceSum(mul(perRow, mul(weights, valid)), [0])], saved: { logProb } };
    },
    (c, [dy]) => {
      // d/dlogits = (softmax − onehot)·wₙ·validₙ·dy
      const counted = countedRows(labels, ignoreIndex, dt);
      const rowScale = mul(reshape(mul(weights, counted.valid), [counted.valid.shape[0], 1]), dy!); // [N, 1]
      const shifted = softmaxMinusOneHot((c as Composite).saved.logProb, labels, counted);
      return [mul(shifted, rowScale), null, null];
    },
  )[0];
}

/**
 * Mean binary cross-entropy with logits: max(x,0) − x·y + log(1 + e^−|x|), weighted by `weights`
 * (broadcastable to the logits) when given, the mean then over Σweights; `targets` are floats in [0, 1].
 */
export function bceWithLogits(logits: Value, targets: Value, weights: Value | null = null): Value {
  const g = logits.graph;
  const inputs = weights ? [logits, targets, weights] : [logits, targets];
  return g.composite(
    'BCEWithLogits',
    inputs,
    (): { outputs: Value[]; saved: Record<string, Value> } => {
      const per = add(sub(relu(logits), mul(logits, targets)), log(add(exp(neg(abs(logits))), 1)));
      const axes = per.shape.map((_, k) => k);
      if (!weights) return { outputs: [div(reduceSum(per, axes), numelOf(per))], saved: { per } };
      // Weights may broadcast (e.g. a [B, T, 1] mask): every element they cover counts in Σw.
      const same = weights.shape.length === per.shape.length && weights.shape.every((d, k) => d === per.shape[k]);
      const w = same ? weights : expandLike(weights, per);
      const denom = reduceSum(w, axes);
      return { outputs: [div(reduceSum(mul(per, w), axes), denom)], saved: { per, w, denom } };
    },
    (c, [dy]) => {
      // d/dx = (σ(x) − y)·w / Σw,  d/dy = −x·w / Σw,  d/dw = (per − loss) / Σw   (w = 1, Σw = N without weights)
      const { per, w, denom } = (c as Composite).saved;
      const norm = (v: Value) => mul(w ? div(mul(v, w), denom) : div(v, numelOf(per)), dy!);
      const dLogits = reduceToShape(norm(sub(sigmoid(logits), targets)), logits.shape, logits);
      const dTargets = reduceToShape(norm(neg(logits)), targets.shape, targets);
      if (!weights) return [dLogits, dTargets];
      const dWeights = mul(div(sub(per, c.outputs[0]), denom), dy!);
      return [dLogits, dTargets, reduceToShape(dWeights, weights.shape, weights)];
    },
  )[0];
}

/** `x` broadcast to the run-time shape of `like`. */
function expandLike(x: Value, like: Value): Value {
  const g = x.graph;
  const shape = g.node('Shape', [like], [{ dtype: 'int64', shape: [like.shape.length] }])[0];
  return g.node('Expand', [x, shape], [{ dtype: x.dtype, shape: like.shape }])[0];
}

/** Element count as a float scalar value (static shapes fold to a constant). */
function numelOf(x: Value): Value | number {
  if (x.shape.every((d) => typeof d === 'number')) return (x.shape as number[]).reduce((p, d) => p * d, 1);
  const g = x.graph;
  const shape = g.node('Shape', [x], [{ dtype: 'int64', shape: [x.shape.length] }])[0];
  const n = g.node('ReduceProd', [shape], [{ dtype: 'int64', shape: [] }], { keepdims: 0 })[0];
  return cast(n, x.dtype);
}
